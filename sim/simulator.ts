// The discrete-event engine: one virtual clock, one event queue ordered by (at, seq), one seed.
// It runs the event loop and owns node lifecycle (process, timers, disk, local clock, boot, crash,
// pause); links and their rules live in network.ts, faults in fault-apply.ts, encoding in recorder.ts.
// It knows no algorithm.

import { assert } from './assert.js';
import type { Checker, FactObserver, LinkView, NodeStatus, RunView } from './check.js';
import { LocalClock } from './clock.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './event-queue.js';
import { FaultApplier, RoleResolver, type FaultResolution, type NodeFaults, type RoleOracle } from './fault-apply.js';
import { FACT_NODE_REF, FROM_NODE_REF, substituteNode, TO_NODE_REF, type FaultEntry, type TriggeredFault, type TriggerEntry } from './faults.js';
import { copyOnWire, sealForWire } from './hash.js';
import { History, type HistoryListener, type Operation } from './history.js';
import { Network, type DropReason, type Link, type NetworkConfig } from './network.js';
import type { Context, NodeId, NodeSpec, Observation, Process, TimerOptions } from './process.js';
import { RECORDED_NODES_MAX, Recorder, TracingRecorder } from './recorder.js';
import { Rng } from './rng.js';
import type { Micros } from './time.js';
import { peersOf, serversOf, type Topology } from './topology.js';
import type { TraceEvent, TraceSink } from './trace.js';

export type { RoleOracle } from './fault-apply.js';

// Queue event kinds are a `const enum`: their values are written into the code where used, whereas
// V8 reads a module-level `const` from the module's context, checked, each time.

/** Queue event kinds. */
/**
 * Queued event kinds, and the handlers a `leave` fault (Leave) and a `request` entry (Request) run at
 * once; a Request is also queued, in a paused node's backlog, until it resumes.
 */
const enum Kind { Start, Deliver, Timer, Fault, Leave, Request }

/** The engine's canonical copy of a string (property keys are interned by the JS engine). */
function intern(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

/** One queued event. A single class keeps the hot path monomorphic. */
class SimEvent {
  seq = 0;
  constructor(
    public at: Micros,
    public kind: number,
    /** Destination node (deliver), owner (timer, start). */
    public node: number,
    /** Sender (deliver). */
    public peer: number,
    /** Message id (deliver) or timer token (timer). */
    public ref: number,
    /** Message (deliver), timer name (timer) or fault entry (fault). */
    public payload: unknown,
  ) {}
}

/** What a simulator runs: a seed, the nodes in order, the network, and who watches. */
export interface SimulatorOptions {
  readonly seed: number;
  /** Resolves state-dependent role names (`@leader`, `@follower` …) in fault entries. */
  readonly roles?: RoleOracle;
  readonly nodes: readonly NodeSpec[];
  /** Who talks to whom (each node's `ctx.peers`); by default every node's peers are the servers. */
  readonly topology?: Topology;
  readonly network: NetworkConfig;
  readonly checkers?: readonly Checker[];
  /** Watch facts after the checkers, and applied faults (metrics); they never judge the run. */
  readonly observers?: readonly FactObserver[];
  /** Receives every trace event; without one (and without `onEvent` checkers) none is built. */
  readonly traceSink?: TraceSink;
  /**
   * Count `stats.bytesSent`: the length of each sent message's JSON text (characters, so bytes for ASCII
   * content), a fair proxy for its size on a real wire. Off by default: it serialises every message.
   */
  readonly measureBytes?: boolean;
}

/** Counts of what happened in a run. */
export interface SimStats {
  events: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  dropsByReason: Record<DropReason, number>;
  /** With `measureBytes` only: the JSON text length of every message sent (counted as `messagesSent` is). */
  bytesSent?: number;
}

interface Violation {
  readonly atMicros: Micros;
  readonly message: string;
}

class NodeRecord {
  status: NodeStatus = 'crashed';
  process: Process<unknown> | null = null;
  context: NodeContext | null = null;
  incarnation = 0;
  crashes = 0;
  /** How many times slower the node handles the messages that reach it (a `slow` fault; see `slowNode`); 1: normal speed. Survives a crash: it is the machine's. */
  slowFactor = 1;
  /** The share of requests it fails at once (a `fail-fast` fault); 0: none. Survives a crash: it is the machine's (its configuration). */
  failFastRatio = 0;
  readonly timers = new Map<string, number>();
  readonly disk = new SimDisk();
  readonly clock = new LocalClock();
  /** The process called `ctx.leave()`: it is taken out once its handler returns. */
  departing = false;
  /** Events that reached the node while it was paused; replayed in order on resume. */
  readonly backlog: SimEvent[] = [];
  peers: readonly NodeId[] = [];

  constructor(
    readonly index: number,
    readonly spec: NodeSpec,
    readonly rng: Rng,
  ) {}

  get id(): NodeId {
    return this.spec.id;
  }
}

/**
 * What checkers see of a run, and observers with the link state. A class rather than an object literal
 * with getters: a literal's getters are new closures each run, which gives each run's view its own
 * hidden class, and checker code optimised for one run's view is thrown away at the next.
 */
class SimRunView implements RunView, LinkView {
  constructor(
    private readonly sim: Simulator,
    readonly nodes: readonly NodeId[],
    readonly servers: readonly NodeId[],
  ) {}

  get now(): Micros {
    return this.sim.now;
  }

  get phase(): 'faults' | 'recovery' {
    return this.sim.phase;
  }

  get history(): readonly Operation[] {
    return this.sim.history.operations;
  }

  get messagesSent(): number {
    return this.sim.stats.messagesSent;
  }

  get bytesSent(): number | undefined {
    return this.sim.stats.bytesSent;
  }

  status(id: NodeId): NodeStatus {
    return this.sim.node(id).status;
  }

  crashCount(id: NodeId): number {
    return this.sim.node(id).crashes;
  }

  inspect(id: NodeId): unknown {
    return this.sim.node(id).process?.inspect?.();
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.sim.isCut(from, to);
  }
}

/** The context one incarnation of a process acts through. */
class NodeContext implements Context<unknown> {
  readonly self: NodeId;
  readonly peers: readonly NodeId[];
  readonly rng: Rng;
  readonly disk: SimDisk;
  readonly history;

  constructor(
    private readonly sim: Simulator,
    private readonly node: NodeRecord,
    private readonly incarnation: number,
  ) {
    this.self = node.id;
    this.peers = node.peers;
    this.rng = node.rng;
    this.disk = node.disk;
    this.history = sim.history.forClient(node.id);
  }

  private live(what: string): void {
    if (this.node.incarnation !== this.incarnation || this.node.status !== 'up') this.notRunning(what);
  }

  private notRunning(what: string): void {
    assert(false, `${this.self}: ${what} from a process that is no longer running`);
  }

  now(): Micros {
    return this.node.clock.read(this.sim.now);
  }

  send(to: NodeId, msg: unknown): void {
    // `live`, written out: this runs for every message.
    const node = this.node;
    if (node.incarnation !== this.incarnation || node.status !== 'up') this.notRunning('send');
    this.sim.enqueueSend(node.index, to, msg);
  }

  setTimer(name: string, after: Micros, options?: TimerOptions): void {
    this.live('setTimer');
    this.sim.setTimer(this.node, name, after, options?.work === true);
  }

  cancelTimer(name: string): void {
    this.live('cancelTimer');
    this.node.timers.delete(name);
  }

  observe(fact: Observation): void {
    this.live('observe');
    this.sim.recordObservation(this.node, fact);
  }

  failFastRatio(): number {
    return this.node.failFastRatio;
  }

  leave(): void {
    this.live('leave');
    this.sim.requestLeave(this.node);
  }
}

/**
 * The handle a run drives: `start`, `scheduleFaults`, `runUntil`, `beginRecovery`, `end`, then the
 * fingerprint, stats and checker verdicts. Deterministic: the same options give the same run.
 */
export class Simulator implements HistoryListener, NodeFaults<SimEvent> {
  /** True virtual time. */
  now: Micros = 0;
  phase: 'faults' | 'recovery' = 'faults';
  readonly history: History;
  readonly stats: SimStats = {
    events: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    dropsByReason: { loss: 0, partition: 0, overflow: 0, crashed: 0, trigger: 0 },
  };
  /** Handler exceptions: a process that throws has a bug; it is crashed, as a panicking server would be. */
  readonly handlerErrors: Violation[] = [];
  readonly violations = new Map<string, Violation>();

  private readonly queue = new EventQueue<SimEvent>();
  /** Encodes every event once: the fingerprint, and trace objects when someone listens. */
  private readonly recorder: Recorder;
  private readonly nodes: NodeRecord[];
  private readonly indexById = new Map<NodeId, number>();
  private readonly ids: readonly NodeId[];
  private readonly network: Network<SimEvent>;
  /** The network's links (undefined until first used) and its row length, held here so the per-message path indexes them directly. */
  private readonly links: readonly (Link | undefined)[];
  private readonly linkRow: number;
  private readonly faults: FaultApplier<SimEvent>;
  private readonly checkers: readonly Checker[];
  private readonly observationCheckers: readonly Checker[];
  private readonly eventCheckers: readonly Checker[];
  private readonly faultCheckers: readonly Checker[];
  private readonly factObservers: readonly FactObserver[];
  private readonly faultObservers: readonly FactObserver[];
  private readonly sink: TraceSink | undefined;
  private readonly outboxTo: number[] = [];
  private readonly outboxMsg: unknown[] = [];
  /** Sends queued by the running handler (the outbox arrays are reused, never shrunk). */
  private outboxCount = 0;
  private nextMsgId = 0;
  private nextTimerToken = 0;
  /** Count message bytes (`SimulatorOptions.measureBytes`). */
  private readonly measureBytes: boolean;
  /** How many nodes are slow now (factor ≠ 1): while none is, a message costs one comparison for it. */
  private slowNodes = 0;
  /** Armed `on-fact` triggers and how often each has fired (sim/faults.ts): the fault phase only. */
  private factTriggers: { readonly entry: Extract<TriggerEntry, { kind: 'on-fact' }>; fired: number }[] = [];
  /** Armed `on-message` rules and how many messages each may still take; empty on the per-message path unless armed. */
  private messageRules: { readonly entry: Extract<TriggerEntry, { kind: 'on-message' }>; left: number; readonly from: ReadonlySet<number> | null; readonly to: ReadonlySet<number> | null }[] = [];
  /** The node the running handler most likely answers (the sender of the message being handled), by id and index. */
  private replyId: NodeId = '';
  private replyIndex = -1;
  /** The run as checkers see it (and, with the link state, observers). */
  readonly view: RunView & LinkView;
  /** The node `node(id)` found last. */
  private lastNode: NodeRecord | undefined = undefined;

  constructor(readonly options: SimulatorOptions) {
    const root = Rng.fromSeed(options.seed);
    const rolesRng = root.fork('roles');
    assert(options.nodes.length > 0, 'a cluster needs at least one node');
    assert(options.nodes.length <= RECORDED_NODES_MAX, `a cluster has at most ${RECORDED_NODES_MAX} nodes`);
    this.nodes = options.nodes.map((spec, index) => {
      assert(!this.indexById.has(spec.id), `duplicate node id ${spec.id}`);
      this.indexById.set(spec.id, index);
      return new NodeRecord(index, spec, root.fork(`node:${spec.id}`));
    });
    // Interned copies: comparing two interned strings is a pointer compare on the send path.
    this.ids = this.nodes.map((n) => intern(n.id));
    const servers = serversOf(options.nodes);
    const peers = peersOf(options.nodes, options.topology);
    // Each id interned once (not once per peer list it appears in: n² for a cluster where all talk to all).
    const interned = new Map(this.ids.map((id) => [id, id]));
    for (const node of this.nodes) node.peers = peers[node.index]!.map((id) => interned.get(id) ?? intern(id));
    // Each link's stream is `link:FROM->TO` under the root, made when the link is first used; the
    // streams of one sender share their label's prefix, hashed once.
    const linkStreams: ((to: string) => Rng)[] = [];
    this.network = new Network(this.nodes.length, options.network, (from, to) => {
      const streams = linkStreams[from] ?? (linkStreams[from] = root.siblings(`link:${this.nodes[from]!.id}->`));
      return streams(this.nodes[to]!.id);
    });
    this.links = this.network.links;
    this.linkRow = this.network.size;
    this.checkers = options.checkers ?? [];
    this.observationCheckers = this.checkers.filter((c) => c.onObservation);
    this.eventCheckers = this.checkers.filter((c) => c.onEvent);
    this.faultCheckers = this.checkers.filter((c) => c.onFault);
    this.factObservers = (options.observers ?? []).filter((o) => o.onFact);
    this.faultObservers = (options.observers ?? []).filter((o) => o.onFault);
    this.sink = options.traceSink;
    this.measureBytes = options.measureBytes === true;
    if (this.measureBytes) this.stats.bytesSent = 0;
    // Trace objects are built only for a sink or an onEvent checker.
    const materialize = this.sink !== undefined || this.eventCheckers.length > 0;
    this.recorder = materialize ? new TracingRecorder(this.ids, (event) => this.emit(event)) : new Recorder(this.ids);
    this.history = new History(this, this);
    this.view = new SimRunView(this, this.nodes.map((n) => n.id), servers);
    this.faults = new FaultApplier(new RoleResolver(this.view, rolesRng, options.roles, options.nodes), this.network, this, this.recorder);
  }

  /** Boots every node at time 0, in the order the scenario listed them. */
  start(): void {
    for (const node of this.nodes) {
      // A dormant spare is not in the cluster until a `join` fault boots it.
      if (node.spec.dormant === true) node.status = 'absent';
      else this.queue.push(new SimEvent(0, Kind.Start, node.index, -1, 0, undefined));
    }
  }

  /** Queues an explicit schedule (already validated). */
  scheduleFaults(entries: readonly FaultEntry[]): void {
    for (const entry of entries) {
      assert(entry.at >= this.now, `fault at ${entry.at}us is in the past (now ${this.now}us)`);
      this.queue.push(new SimEvent(entry.at, Kind.Fault, -1, -1, 0, entry));
    }
  }

  /** Runs every event strictly before `endMicros`, then sets the clock to `endMicros`. */
  runUntil(endMicros: Micros): void {
    this.stats.events += this.drainBefore(endMicros);
    if (endMicros > this.now) this.now = endMicros;
  }

  /**
   * The event loop: runs every event due before `endMicros` and returns how many. Apart from its caller:
   * the optimiser compiles this loop while it runs (on-stack replacement), before any code after the
   * loop has run, and code after it would then deoptimise at every call's end.
   */
  private drainBefore(endMicros: Micros): number {
    const queue = this.queue;
    let events = 0;
    for (;;) {
      const next = queue.popBefore(endMicros);
      if (next === undefined) return events;
      this.now = next.at;
      events++;
      if (next.kind === Kind.Deliver) this.deliver(next);
      else this.dispatch(next);
    }
  }

  /** True when no event is left (a run that has gone quiet). */
  get idle(): boolean {
    return this.queue.size === 0;
  }

  /** The run's fingerprint so far: 16 hex characters over every event recorded. */
  fingerprintHex(): string {
    return this.recorder.hex();
  }

  /** Ends the fault phase: heal every link, reset loss, duplication and delay, restart and resume nodes. */
  beginRecovery(): void {
    assert(this.phase === 'faults', 'recovery begins once');
    this.phase = 'recovery';
    // No new faults in recovery: triggers disarm, and entries they scheduled for later are not applied.
    this.factTriggers = [];
    this.messageRules = [];
    this.recorder.phase(this.now, 'recovery');
    const at = this.now;
    const base = this.options.network;
    const recovery: FaultEntry[] = [
      { at, kind: 'heal' },
      { at, kind: 'unclog' },
      { at, kind: 'loss', ratio: 0 },
      { at, kind: 'duplicate', ratio: 0 },
      { at, kind: 'delay', latency: base.latency },
    ];
    for (const node of this.nodes) {
      if (node.status === 'crashed') recovery.push({ at, kind: 'restart', node: node.id });
      if (node.status === 'paused') recovery.push({ at, kind: 'resume', node: node.id });
      if (node.slowFactor !== 1) recovery.push({ at, kind: 'slow', node: node.id, factor: 1 });
      if (node.failFastRatio !== 0) recovery.push({ at, kind: 'fail-fast', node: node.id, ratio: 0 });
    }
    for (const entry of recovery) this.applyFault(entry, 'recovery');
  }

  /** Marks the end of the run in the trace. */
  end(): void {
    this.recorder.phase(this.now, 'end');
  }

  nodeIds(): NodeId[] {
    return this.nodes.map((n) => n.id);
  }

  /** A node's local clock reading now (for tests and reports). */
  localTime(id: NodeId): Micros {
    return this.node(id).clock.read(this.now);
  }

  /** The node's disk (for tests and reports). */
  disk(id: NodeId): SimDisk {
    return this.node(id).disk;
  }

  /** Messages in flight (or held) on the directed link, for tests. */
  inFlight(from: NodeId, to: NodeId): number {
    return this.network.link(this.node(from).index, this.node(to).index).inFlight;
  }

  /** Whether the link from → to is cut by a partition now. */
  isCut(from: NodeId, to: NodeId): boolean {
    return this.network.isCut(this.node(from).index, this.node(to).index);
  }

  // ---- event dispatch -------------------------------------------------------------------------

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case Kind.Deliver:
        this.deliver(event);
        return;
      case Kind.Timer:
        this.fireTimer(event);
        return;
      case Kind.Fault:
        // Only a trigger's entries can be due after the fault phase: recovery applies no faults.
        if (this.phase === 'recovery') return;
        this.applyFault(event.payload as FaultEntry, 'schedule');
        return;
      case Kind.Start:
        this.boot(this.nodes[event.node]!, false);
        return;
      case Kind.Request:
        // A request that waited in a paused node's backlog: the node has resumed.
        this.request(this.nodes[event.node]!, event.payload);
        return;
    }
  }

  // ---- node lifecycle -------------------------------------------------------------------------

  private boot(node: NodeRecord, restart: boolean): void {
    node.status = 'up';
    node.incarnation++;
    node.process = node.spec.create();
    node.context = new NodeContext(this, node, node.incarnation);
    if (restart) this.recorder.restart(this.now, node.index);
    else this.recorder.start(this.now, node.index);
    this.replyId = node.id;
    this.replyIndex = node.index;
    this.runHandler(node, Kind.Start, '', undefined);
  }

  private deliver(event: SimEvent): void {
    const node = this.nodes[event.node]!;
    // The message crossed this link when it was sent, so the link exists.
    const link = this.links[event.peer * this.linkRow + event.node]!;
    // The link's rules inline (Link.open, Link.land): this is the per-message path.
    if (link.cut || link.clogged || node.status !== 'up') return this.deliverBlocked(link, node, event);
    link.inFlight--;
    this.stats.messagesDelivered++;
    this.recorder.deliver(this.now, event.peer, event.node, event.ref, event.payload);
    const from = this.ids[event.peer]!;
    // A reply to the sender, the commonest send, then finds its destination without a lookup.
    this.replyId = from;
    this.replyIndex = event.peer;
    // Once handled, the delivery's event object is free: the handler's first send reuses it.
    this.runHandler(node, Kind.Deliver, from, event.payload, event);
  }

  /** A delivery that cannot happen now: the link is cut or clogged, or the node is down or paused. */
  private deliverBlocked(link: Link, node: NodeRecord, event: SimEvent): void {
    // The link's rules first: a cut drops the message, a clog holds it until unclog.
    if (!link.open) {
      if (this.network.intercept(link, event) === 'partition') this.dropInFlight(link, event, 'partition');
      return;
    }
    // Invariant: a crashed node receives nothing, and neither does one absent from the cluster (counted as a crash's drops).
    if (node.status === 'crashed' || node.status === 'absent') return this.dropInFlight(link, event, 'crashed');
    // Invariant: a paused node processes nothing until it resumes (the only state left).
    node.backlog.push(event);
  }

  private fireTimer(event: SimEvent): void {
    const node = this.nodes[event.node]!;
    const name = event.payload as string;
    // A timer that was replaced, cancelled, or belonged to an incarnation that crashed does not fire.
    if (node.status === 'crashed' || node.status === 'absent' || node.timers.get(name) !== event.ref) return;
    if (node.status === 'paused') {
      node.backlog.push(event);
      return;
    }
    node.timers.delete(name);
    this.recorder.timer(this.now, event.node, name);
    this.replyId = node.id;
    this.replyIndex = node.index;
    // Once fired, the timer's event object is free: the handler's first send reuses it.
    this.runHandler(node, Kind.Timer, name, undefined, event);
  }

  /**
   * Runs one handler (start, message from `peer`, or timer `peer`), then applies its sends in order.
   * A throwing handler crashes its node, as a panicking server would; its sends are discarded.
   */
  private runHandler(node: NodeRecord, kind: number, peer: string, msg: unknown, spare: SimEvent | null = null): void {
    const process = node.process!;
    const context = node.context!;
    try {
      if (kind === Kind.Deliver) process.onMessage(context, peer, msg);
      else if (kind === Kind.Timer) process.onTimer(context, peer);
      else if (kind === Kind.Start) process.onStart(context);
      else if (kind === Kind.Leave) process.onLeave!(context);
      else process.onRequestEntry!(context, msg);
    } catch (error) {
      return this.handlerThrew(node, error);
    }
    const count = this.outboxCount;
    if (count === 0) {
      if (node.departing) this.depart(node);
      return;
    }
    const to = this.outboxTo;
    const msgs = this.outboxMsg;
    this.outboxCount = 0;
    let previous: unknown = undefined;
    let hash = 0;
    for (let i = 0; i < count; i++) {
      const message = msgs[i];
      msgs[i] = undefined;
      // A broadcast sends one object to every peer: hash it and freeze its nested parts once. (Only
      // within one handler's sends: between handlers the sender may change the object's top level.)
      if (i === 0 || message !== previous) hash = sealForWire(message);
      previous = message;
      this.transmit(node.index, to[i]!, message, hash, spare);
      spare = null;
    }
    // `ctx.leave()`: its last sends are on their way; now it goes.
    if (node.departing) this.depart(node);
  }

  private handlerThrew(node: NodeRecord, error: unknown): void {
    this.clearOutbox();
    const reason = error instanceof Error ? error.message : String(error);
    this.handlerErrors.push({ atMicros: this.now, message: `${node.id} threw: ${reason}` });
    this.crash(node);
  }

  private clearOutbox(): void {
    for (let i = 0; i < this.outboxCount; i++) this.outboxMsg[i] = undefined;
    this.outboxCount = 0;
  }

  // ---- messages -------------------------------------------------------------------------------

  /** Called by a context during a handler; applied after the handler returns. */
  enqueueSend(from: number, to: NodeId, msg: unknown): void {
    const toIndex = to === this.replyId ? this.replyIndex : this.indexOf(to);
    if (toIndex === undefined) assert(false, `${this.nodes[from]!.id} sent to unknown node '${to}'`);
    if (toIndex === from) assert(false, `${to} sent a message to itself; use a timer or handle it locally`);
    this.outboxTo[this.outboxCount] = toIndex;
    this.outboxMsg[this.outboxCount] = msg;
    this.outboxCount++;
  }

  /** `spare`: an event object no longer in use, for this message's delivery. */
  private transmit(from: number, to: number, original: unknown, hash: number, spare: SimEvent | null): void {
    const msgId = this.nextMsgId++;
    // Invariant: sender and receiver never share a mutable object (top level copied, the rest frozen).
    const msg = copyOnWire(original);
    this.stats.messagesSent++;
    if (this.measureBytes) this.stats.bytesSent! += (JSON.stringify(msg) ?? '').length;
    this.recorder.send(this.now, from, to, msgId, hash, msg);
    // A link is created on its first message (Network.link), in the state the link changes so far give it.
    const link = this.links[from * this.linkRow + to] ?? this.network.create(from, to);
    // An armed message rule acts first (rules are empty unless a schedule armed one).
    let extraMicros = 0;
    if (this.messageRules.length !== 0) {
      const rule = this.takeMessageRule(from, to, msg);
      if (rule !== undefined) {
        if (rule.action === 'drop') return this.drop(from, to, msgId, 'trigger');
        if (rule.action === 'delay') extraMicros = rule.delayMicros!;
        else if (rule.action === 'duplicate') this.putOnWire(link, msgId, copyOnWire(msg), null, 0);
      }
    }
    // Link.sendDrop and Link.duplicates inline: the per-message path.
    if (link.cut) return this.drop(from, to, msgId, 'partition');
    if (link.lossRatio > 0 && link.random.chance(link.lossRatio)) return this.drop(from, to, msgId, 'loss');
    this.putOnWire(link, msgId, msg, spare, extraMicros);
    if (link.duplicateRatio > 0 && link.random.chance(link.duplicateRatio)) this.putOnWire(link, msgId, copyOnWire(msg), null, extraMicros);
  }

  private putOnWire(link: Link, msgId: number, msg: unknown, spare: SimEvent | null, extraMicros: Micros): void {
    // A full link drops the message, counted as overflow.
    // Link.board inline. Bound: at most `capacity` messages in flight per directed link.
    if (link.inFlight >= link.capacity) return this.drop(link.from, link.to, msgId, 'overflow');
    link.inFlight++;
    let latency = link.sampleLatency() + extraMicros;
    // A slow receiver handles the message factor × the latency after it was sent (see `slowNode`).
    if (this.slowNodes !== 0) latency = this.slowed(link.to, latency);
    const at = this.now + latency;
    if (spare === null) {
      this.queue.push(new SimEvent(at, Kind.Deliver, link.to, link.from, msgId, msg));
      return;
    }
    spare.at = at;
    spare.kind = Kind.Deliver;
    spare.node = link.to;
    spare.peer = link.from;
    spare.ref = msgId;
    spare.payload = msg;
    this.queue.push(spare);
  }

  private dropInFlight(link: Link, event: SimEvent, reason: DropReason): void {
    link.land();
    this.drop(event.peer, event.node, event.ref, reason);
  }

  private drop(from: number, to: number, msgId: number, reason: DropReason): void {
    this.stats.messagesDropped++;
    this.stats.dropsByReason[reason]++;
    this.recorder.drop(this.now, from, to, msgId, reason);
  }

  // ---- timers ---------------------------------------------------------------------------------

  setTimer(node: NodeRecord, name: string, afterMicros: Micros, work = false): void {
    if (!Number.isSafeInteger(afterMicros) || afterMicros < 0) {
      assert(false, `${node.id}: timer '${name}' needs a non-negative integer delay, got ${afterMicros}`);
    }
    const token = ++this.nextTimerToken;
    node.timers.set(name, token);
    let span = node.clock.trueSpan(afterMicros);
    // A work timer on a slow node takes factor × as long (see `slowNode`); other timers fire on time.
    if (work && node.slowFactor !== 1) span = Math.round(span * node.slowFactor);
    this.queue.push(new SimEvent(this.now + span, Kind.Timer, node.index, -1, token, name));
  }

  /** A latency to node `to` as its slow-down stretches it (rounded to a microsecond). */
  private slowed(to: number, latencyMicros: Micros): Micros {
    const factor = this.nodes[to]!.slowFactor;
    return factor === 1 ? latencyMicros : Math.round(latencyMicros * factor);
  }

  // ---- observations and history ---------------------------------------------------------------

  /** `ctx.leave()`: the node is taken out once its handler returns (its sends go first). */
  requestLeave(node: NodeRecord): void {
    node.departing = true;
  }

  /** For the fault applier: boots an absent node as a fresh machine (empty disk, fresh clock settings kept). */
  joinNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.status !== 'absent') return;
    node.disk.wipe();
    this.boot(node, false);
  }

  /** For the fault applier: asks an up node to leave; without an `onLeave` hook it leaves at once. */
  leaveNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.status !== 'up') return;
    if (node.process!.onLeave === undefined) return this.depart(node);
    this.replyId = node.id;
    this.replyIndex = node.index;
    this.runHandler(node, Kind.Leave, '', undefined);
  }

  /**
   * For the fault applier: a client issues one operation (`op`; undefined: one it draws) through its
   * `onRequestEntry`. A paused node keeps the request in its backlog and handles it when it resumes (as it
   * does messages); a crashed or absent node, or one whose process has no hook, ignores it.
   */
  requestNode(index: number, op: unknown): void {
    const node = this.nodes[index]!;
    if (node.status === 'paused') {
      node.backlog.push(new SimEvent(this.now, Kind.Request, index, -1, 0, op));
      return;
    }
    this.request(node, op);
  }

  private request(node: NodeRecord, op: unknown): void {
    if (node.status !== 'up' || node.process!.onRequestEntry === undefined) return;
    this.replyId = node.id;
    this.replyIndex = node.index;
    this.runHandler(node, Kind.Request, '', op);
  }

  /** The node leaves the cluster: like a crash its process, timers and backlog go, but it stays absent until a join. */
  private depart(node: NodeRecord): void {
    node.departing = false;
    node.status = 'absent';
    node.process = null;
    node.context = null;
    node.timers.clear();
    this.recorder.leave(this.now, node.index);
    for (const event of node.backlog.splice(0)) {
      if (event.kind === Kind.Deliver) this.dropInFlight(this.network.link(event.peer, event.node), event, 'crashed');
    }
  }

  recordObservation(node: NodeRecord, fact: Observation): void {
    this.recorder.observe(this.now, node.index, fact);
    for (const checker of this.observationCheckers) {
      const problem = checker.onObservation!(node.id, fact, this.view);
      if (problem) this.reportViolation(checker.name, problem);
    }
    for (const observer of this.factObservers) observer.onFact!(node.id, fact, this.view);
    if (this.factTriggers.length !== 0) this.fireFactTriggers(node, fact);
  }

  /** For the fault applier: arms a trigger until the fault phase ends. */
  armTrigger(entry: TriggerEntry): void {
    if (this.phase !== 'faults') return;
    if (entry.kind === 'on-fact') {
      this.factTriggers.push({ entry, fired: 0 });
      return;
    }
    const indices = (ids: readonly NodeId[] | undefined) => (ids === undefined ? null : new Set(ids.map((id) => this.node(id).index)));
    this.messageRules.push({ entry, left: entry.times, from: indices(entry.from), to: indices(entry.to) });
  }

  /** A fact matched an armed trigger: its entries are scheduled, `$fact` standing for the node that reported it. */
  private fireFactTriggers(node: NodeRecord, fact: Observation): void {
    for (const trigger of this.factTriggers) {
      const { entry } = trigger;
      if (trigger.fired >= entry.times || fact.type !== entry.fact) continue;
      if (entry.role !== undefined && node.spec.role !== entry.role) continue;
      if (entry.where !== undefined && !Object.entries(entry.where).every(([key, value]) => (fact as unknown as Record<string, unknown>)[key] === value)) continue;
      trigger.fired++;
      this.scheduleTriggered(entry.then, [[FACT_NODE_REF, node.id]]);
    }
  }

  /** Queues a trigger's entries from now, its references (`$fact`, `$from`, `$to`) replaced by the nodes it fired on. */
  private scheduleTriggered(then: readonly TriggeredFault[], refs: readonly (readonly [string, NodeId])[]): void {
    for (const { afterMicros, ...rest } of then) {
      let scheduled = { ...rest, at: this.now + afterMicros } as FaultEntry;
      for (const [ref, id] of refs) scheduled = substituteNode(scheduled, ref, id);
      this.queue.push(new SimEvent(scheduled.at, Kind.Fault, -1, -1, 0, scheduled));
    }
  }

  /** The first armed rule matching a message as it is sent (taking one of its uses), or undefined. */
  private takeMessageRule(from: number, to: number, msg: unknown): Extract<TriggerEntry, { kind: 'on-message' }> | undefined {
    if (msg === null || typeof msg !== 'object') return undefined;
    const type = (msg as { type?: unknown }).type;
    for (const rule of this.messageRules) {
      if (rule.left === 0 || rule.entry.type !== type) continue;
      if ((rule.from !== null && !rule.from.has(from)) || (rule.to !== null && !rule.to.has(to))) continue;
      const where = rule.entry.where;
      if (where !== undefined && !Object.entries(where).every(([key, value]) => (msg as Record<string, unknown>)[key] === value)) continue;
      rule.left--;
      if (rule.entry.then !== undefined) this.scheduleTriggered(rule.entry.then, [[FROM_NODE_REF, this.nodes[from]!.id], [TO_NODE_REF, this.nodes[to]!.id]]);
      return rule.entry;
    }
    return undefined;
  }

  /** History listener: an invoke goes into the fingerprint and the trace. */
  onInvoke(op: Operation): void {
    this.recorder.invoke(this.now, this.node(op.client).index, op.id, op.input);
  }

  /** History listener: a completion goes into the fingerprint and the trace. */
  onComplete(op: Operation): void {
    this.recorder.complete(this.now, op.client, op.id, op.status as 'ok' | 'fail', op.output);
  }

  private reportViolation(checker: string, message: string): void {
    if (!this.violations.has(checker)) this.violations.set(checker, { atMicros: this.now, message });
  }

  private emit(event: TraceEvent): void {
    if (this.sink) this.sink(event);
    for (const checker of this.eventCheckers) {
      const problem = checker.onEvent!(event, this.view);
      if (problem) this.reportViolation(checker.name, problem);
    }
  }

  // ---- faults ---------------------------------------------------------------------------------

  /**
   * Applies one fault entry now (see `FaultApplier.apply`): entries that do not apply, or whose role
   * reference cannot be resolved now, are recorded but change nothing. Checkers with `onFault`, then
   * observers, hear of it after.
   */
  applyFault(entry: FaultEntry, source: 'schedule' | 'recovery'): void {
    const resolved = this.faults.apply(entry, source, this.now);
    for (const checker of this.faultCheckers) {
      const problem = checker.onFault!(resolved, this.view);
      if (problem) this.reportViolation(checker.name, problem);
    }
    for (const observer of this.faultObservers) observer.onFault!(resolved, this.view);
  }

  /** What each entry with a role reference resolved to, in the order applied (null: not resolvable then). */
  get resolutions(): readonly FaultResolution[] {
    return this.faults.resolutions;
  }

  /** For the fault applier: a node's index (asserts that it exists). */
  nodeIndex(id: NodeId): number {
    return this.node(id).index;
  }

  /** For the fault applier: crashes an up or paused node. */
  crashNode(index: number): void {
    this.crash(this.nodes[index]!);
  }

  /** For the fault applier: boots a crashed node again. */
  restartNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.status === 'crashed') this.boot(node, true);
  }

  /** For the fault applier: pauses an up node (what reaches it waits in its backlog). */
  pauseNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.status !== 'up') return;
    node.status = 'paused';
    this.recorder.pause(this.now, index);
  }

  /** For the fault applier: resumes a paused node and processes its backlog now, in arrival order. */
  resumeNode(index: number): void {
    const node = this.nodes[index]!;
    if (node.status !== 'paused') return;
    node.status = 'up';
    this.recorder.resume(this.now, index);
    for (const event of node.backlog.splice(0)) this.requeueNow(event);
  }

  /** For the fault applier: sets a node's clock offset from now on. */
  skewClock(index: number, offsetMicros: Micros): void {
    this.nodes[index]!.clock.setOffset(this.now, offsetMicros);
  }

  /** For the fault applier: sets a node's clock drift from now on. */
  driftClock(index: number, ppm: number): void {
    this.nodes[index]!.clock.setDriftPpm(this.now, ppm);
  }

  /**
   * For the fault applier: the node runs `factor` times slower from now on (1: normal speed again).
   * The model: an overloaded (or swapping) machine whose work queue is behind — slow message processing,
   * as the Lifeguard paper injects it. A message sent to it from now on is handled factor × the link's
   * sampled latency after it was sent (the extra time it waits in the machine's backlog). Its timers
   * still fire when asked (the clock and the timer wheel are not behind; what queues is the work the
   * network brings), so a slow member sees acks to its own probes arrive late and can notice that it
   * is the slow one (Lifeguard's local health). Messages already in flight keep their times; what it
   * sends travels at the link's speed. A timer the node marks as work (`setTimer(…, { work: true })`:
   * serving a request) takes factor × as long, as computation does on an overloaded machine. The factor
   * belongs to the machine: it survives a crash and restart. Recovery sets it back to 1.
   */
  slowNode(index: number, factor: number): void {
    const node = this.nodes[index]!;
    if ((node.slowFactor !== 1) !== (factor !== 1)) this.slowNodes += factor !== 1 ? 1 : -1;
    node.slowFactor = factor;
  }

  /**
   * For the fault applier: the node fails `ratio` of its requests at once from now on (0: none). Only its
   * code acts on it (`ctx.failFastRatio()`); the engine delivers and times everything as before. Like
   * `slow`, it belongs to the machine: it survives a crash and restart. Recovery sets it back to 0.
   */
  failFastNode(index: number, ratio: number): void {
    this.nodes[index]!.failFastRatio = ratio;
  }

  /** For the fault applier: queues messages a clog held, now, in order. */
  release(events: readonly SimEvent[]): void {
    for (const event of events) this.requeueNow(event);
  }

  private crash(node: NodeRecord): void {
    if (node.status === 'crashed' || node.status === 'absent') return;
    node.departing = false;
    node.status = 'crashed';
    node.crashes++;
    node.process = null;
    node.context = null;
    node.timers.clear();
    // Invariant: writes since the last sync do not survive a crash.
    node.disk.loseUnsynced();
    this.recorder.crash(this.now, node.index);
    for (const event of node.backlog.splice(0)) {
      if (event.kind === Kind.Deliver) this.dropInFlight(this.network.link(event.peer, event.node), event, 'crashed');
    }
  }

  private requeueNow(event: SimEvent): void {
    event.at = this.now;
    this.queue.push(event);
  }

  /** A node's index: a linear scan for small clusters (ids are interned: pointer compares), else the map. */
  private indexOf(id: NodeId): number | undefined {
    const ids = this.ids;
    if (ids.length <= 16) {
      for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
      return undefined;
    }
    return this.indexById.get(id);
  }

  /** A node's record (for the engine's own classes: NodeContext, SimRunView). */
  node(id: NodeId): NodeRecord {
    // Checkers ask about one node many times in a row (a viewer reporting its views of every member).
    const last = this.lastNode;
    if (last !== undefined && last.spec.id === id) return last;
    const index = this.indexOf(id);
    // Checked without building the message first: checkers ask for a node's status per fact.
    if (index === undefined) assert(false, `unknown node '${id}'`);
    return (this.lastNode = this.nodes[index!]!);
  }

  /** Every checker's verdict now (violations reported during the run win). */
  verdicts(): { name: string; kind: Checker['kind']; ok: boolean; message?: string; atMicros?: Micros }[] {
    return this.checkers.map((checker) => {
      const violation = this.violations.get(checker.name);
      if (violation) return { name: checker.name, kind: checker.kind, ok: false, message: violation.message, atMicros: violation.atMicros };
      const verdict = checker.verdict(this.view);
      return {
        name: checker.name, kind: checker.kind, ok: verdict.ok,
        ...(verdict.message ? { message: verdict.message } : {}),
        ...(!verdict.ok && verdict.atMicros !== undefined ? { atMicros: verdict.atMicros } : {}),
      };
    });
  }
}
