// The discrete-event engine: one virtual clock, one event queue ordered by (at, seq), one seed.
// It owns nodes (process, timers, disk, local clock), applies faults to the network and nodes, traces
// every event into a 64-bit fingerprint, and feeds checkers. It knows no algorithm.

import { assert } from './assert.js';
import type { Checker, FactObserver, NodeStatus, RunView } from './check.js';
import { LocalClock } from './clock.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './event-queue.js';
import { isNodeRef, REST_REF, type FaultEntry, type LinkSelector } from './faults.js';
import { copyOnWire, Fingerprint, sealAndHash, sealForWire } from './hash.js';
import { History, type Operation } from './history.js';
import { Link, type DropReason, type NetworkConfig } from './network.js';
import type { Context, NodeId, NodeSpec, Observation, Process } from './process.js';
import { Rng } from './rng.js';
import type { Micros } from './time.js';
import type { TraceEvent, TraceSink } from './trace.js';

// Queue event kinds and trace codes are `const enum`s: their values are written into the code where
// used, whereas V8 reads a module-level `const` from the module's context, checked, each time.

/** Queue event kinds. */
const enum Kind { Start, Deliver, Timer, Fault }

/** Trace codes folded into the fingerprint (stable: changing one changes every fingerprint). */
const enum Code {
  Start = 1, Send = 2, Deliver = 3, Drop = 4, Timer = 5, Crash = 6, Restart = 7,
  Pause = 8, Resume = 9, Fault = 10, Observe = 11, Invoke = 12, Complete = 13, Phase = 14,
}
const DROP_CODES: Record<DropReason, number> = { loss: 1, partition: 2, overflow: 3, crashed: 4 };

/** Node indices are packed into 12 bits of a fingerprint word. */
const NODES_MAX = 4095;

/** The engine's canonical copy of a string (property keys are interned by the JS engine). */
function intern(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

/** One fingerprint word naming the event kind and the nodes involved. */
function header(code: number, a: number, b: number): number {
  return code | ((a + 1) << 8) | ((b + 1) << 20);
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

/** Tells the engine which node holds a role, for faults that name `@leader` or `@follower`. */
export interface RoleOracle {
  leader(run: RunView): NodeId | undefined;
}

export interface SimulatorOptions {
  readonly seed: number;
  readonly roles?: RoleOracle;
  readonly nodes: readonly NodeSpec[];
  readonly network: NetworkConfig;
  readonly checkers?: readonly Checker[];
  /** Watch facts after the checkers (metrics); they never judge the run. */
  readonly observers?: readonly FactObserver[];
  readonly traceSink?: TraceSink;
}

export interface SimStats {
  events: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  dropsByReason: Record<DropReason, number>;
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
  readonly timers = new Map<string, number>();
  readonly disk = new SimDisk();
  readonly clock = new LocalClock();
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
 * What checkers see of a run. A class rather than an object literal with getters: a literal's getters
 * are new closures each run, which gives each run's view its own hidden class, and checker code
 * optimised for one run's view is thrown away at the next.
 */
class SimRunView implements RunView {
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

  status(id: NodeId): NodeStatus {
    return this.sim.node(id).status;
  }

  crashCount(id: NodeId): number {
    return this.sim.node(id).crashes;
  }

  inspect(id: NodeId): unknown {
    return this.sim.node(id).process?.inspect?.();
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

  setTimer(name: string, after: Micros): void {
    this.live('setTimer');
    this.sim.setTimer(this.node, name, after);
  }

  cancelTimer(name: string): void {
    this.live('cancelTimer');
    this.node.timers.delete(name);
  }

  observe(fact: Observation): void {
    this.live('observe');
    this.sim.recordObservation(this.node, fact);
  }
}

export class Simulator {
  /** True virtual time. */
  now: Micros = 0;
  phase: 'faults' | 'recovery' = 'faults';
  readonly history: History;
  readonly stats: SimStats = {
    events: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    dropsByReason: { loss: 0, partition: 0, overflow: 0, crashed: 0 },
  };
  /** Handler exceptions: a process that throws has a bug; it is crashed, as a panicking server would be. */
  readonly handlerErrors: Violation[] = [];
  readonly violations = new Map<string, Violation>();

  private readonly queue = new EventQueue<SimEvent>();
  private readonly fingerprint = new Fingerprint();
  private readonly nodes: NodeRecord[];
  private readonly indexById = new Map<NodeId, number>();
  private readonly ids: readonly NodeId[];
  private readonly links: Link[];
  private readonly checkers: readonly Checker[];
  private readonly observationCheckers: readonly Checker[];
  private readonly eventCheckers: readonly Checker[];
  private readonly factObservers: readonly FactObserver[];
  private readonly sink: TraceSink | undefined;
  /** Whether trace events are built as objects (for a sink or an onEvent checker). */
  private readonly materialize: boolean;
  private readonly outboxTo: number[] = [];
  private readonly outboxMsg: unknown[] = [];
  /** Sends queued by the running handler (the outbox arrays are reused, never shrunk). */
  private outboxCount = 0;
  private nextMsgId = 0;
  private nextTimerToken = 0;
  /** The node the running handler most likely answers (the sender of the message being handled), by id and index. */
  private replyId: NodeId = '';
  private replyIndex = -1;
  private readonly timerNameCodes = new Map<string, number>();
  readonly view: RunView;

  constructor(readonly options: SimulatorOptions) {
    const root = Rng.fromSeed(options.seed);
    this.rolesRng = root.fork('roles');
    assert(options.nodes.length > 0, 'a cluster needs at least one node');
    assert(options.nodes.length <= NODES_MAX, `a cluster has at most ${NODES_MAX} nodes`);
    this.nodes = options.nodes.map((spec, index) => {
      assert(!this.indexById.has(spec.id), `duplicate node id ${spec.id}`);
      this.indexById.set(spec.id, index);
      return new NodeRecord(index, spec, root.fork(`node:${spec.id}`));
    });
    // Interned copies: comparing two interned strings is a pointer compare on the send path.
    this.ids = this.nodes.map((n) => intern(n.id));
    const servers = this.nodes.filter((n) => n.spec.role === 'server').map((n) => n.id);
    for (const node of this.nodes) node.peers = servers.filter((id) => id !== node.id).map(intern);
    const count = this.nodes.length;
    this.links = [];
    for (let from = 0; from < count; from++) {
      for (let to = 0; to < count; to++) {
        const random = root.fork(`link:${this.nodes[from]!.id}->${this.nodes[to]!.id}`);
        this.links.push(new Link(from, to, options.network, random));
      }
    }
    this.checkers = options.checkers ?? [];
    this.observationCheckers = this.checkers.filter((c) => c.onObservation);
    this.eventCheckers = this.checkers.filter((c) => c.onEvent);
    this.factObservers = (options.observers ?? []).filter((o) => o.onFact);
    this.sink = options.traceSink;
    this.materialize = this.sink !== undefined || this.eventCheckers.length > 0;
    this.history = new History(this, this);
    this.view = new SimRunView(this, this.nodes.map((n) => n.id), servers);
  }

  /** Boots every node at time 0, in the order the scenario listed them. */
  start(): void {
    for (const node of this.nodes) this.queue.push(new SimEvent(0, Kind.Start, node.index, -1, 0, undefined));
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

  fingerprintHex(): string {
    return this.fingerprint.hex();
  }

  /** Ends the fault phase: heal every link, reset loss, duplication and delay, restart and resume nodes. */
  beginRecovery(): void {
    assert(this.phase === 'faults', 'recovery begins once');
    this.phase = 'recovery';
    this.fingerprint.event(Code.Phase | (1 << 8), this.now, 0, 0);
    if (this.materialize) this.emit({ type: 'phase', at: this.now, phase: 'recovery' });
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
    }
    for (const entry of recovery) this.applyFault(entry, 'recovery');
  }

  /** Marks the end of the run in the trace. */
  end(): void {
    this.fingerprint.event(Code.Phase | (2 << 8), this.now, 0, 0);
    if (this.materialize) this.emit({ type: 'phase', at: this.now, phase: 'end' });
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
    return this.link(this.node(from).index, this.node(to).index).inFlight;
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
        this.applyFault(event.payload as FaultEntry, 'schedule');
        return;
      case Kind.Start:
        this.boot(this.nodes[event.node]!, Code.Start);
        return;
    }
  }

  private boot(node: NodeRecord, code: number): void {
    node.status = 'up';
    node.incarnation++;
    node.process = node.spec.create();
    node.context = new NodeContext(this, node, node.incarnation);
    this.fingerprint.event(header(code, node.index, -1), this.now, 0, 0);
    if (this.materialize) {
      this.emit(code === Code.Start ? { type: 'start', at: this.now, node: node.id } : { type: 'restart', at: this.now, node: node.id });
    }
    this.replyId = node.id;
    this.replyIndex = node.index;
    this.runHandler(node, Kind.Start, '', undefined);
  }

  private deliver(event: SimEvent): void {
    const node = this.nodes[event.node]!;
    const link = this.link(event.peer, event.node);
    if (link.cut || link.clogged || node.status !== 'up') return this.deliverBlocked(link, node, event);
    link.inFlight--;
    this.stats.messagesDelivered++;
    // The content hash was folded in at send; the message id ties this delivery to it.
    this.fingerprint.event(header(Code.Deliver, event.peer, event.node), this.now, event.ref, 0);
    const from = this.ids[event.peer]!;
    if (this.materialize) {
      this.emit({ type: 'deliver', at: this.now, from, to: node.id, msgId: event.ref, msg: event.payload });
    }
    // A reply to the sender, the commonest send, then finds its destination without a lookup.
    this.replyId = from;
    this.replyIndex = event.peer;
    // Once handled, the delivery's event object is free: the handler's first send reuses it.
    this.runHandler(node, Kind.Deliver, from, event.payload, event);
  }

  /** A delivery that cannot happen now: the link is cut or clogged, or the node is down or paused. */
  private deliverBlocked(link: Link, node: NodeRecord, event: SimEvent): void {
    // Invariant: nothing crosses an active partition, including messages already on the wire.
    if (link.cut) return this.dropInFlight(link, event, 'partition');
    // Invariant: a clogged link holds its messages until unclog, then releases them in order.
    if (link.clogged) {
      this.heldOn(link).push(event);
      return;
    }
    // Invariant: a crashed node receives nothing.
    if (node.status === 'crashed') return this.dropInFlight(link, event, 'crashed');
    // Invariant: a paused node processes nothing until it resumes (the only state left).
    node.backlog.push(event);
  }

  private fireTimer(event: SimEvent): void {
    const node = this.nodes[event.node]!;
    const name = event.payload as string;
    // A timer that was replaced, cancelled, or belonged to an incarnation that crashed does not fire.
    if (node.status === 'crashed' || node.timers.get(name) !== event.ref) return;
    if (node.status === 'paused') {
      node.backlog.push(event);
      return;
    }
    node.timers.delete(name);
    this.fingerprint.event(header(Code.Timer, event.node, -1), this.now, this.timerNameCode(name), 0);
    if (this.materialize) this.emit({ type: 'timer', at: this.now, node: node.id, name });
    this.replyId = node.id;
    this.replyIndex = node.index;
    this.runHandler(node, Kind.Timer, name, undefined);
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
      else process.onStart(context);
    } catch (error) {
      return this.handlerThrew(node, error);
    }
    const count = this.outboxCount;
    if (count === 0) return;
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
    this.fingerprint.event(header(Code.Send, from, to), this.now, msgId, hash);
    if (this.materialize) {
      this.emit({ type: 'send', at: this.now, from: this.ids[from]!, to: this.ids[to]!, msgId, msg });
    }
    const link = this.link(from, to);
    if (link.cut) return this.drop(from, to, msgId, 'partition');
    if (link.lossRatio > 0 && link.random.chance(link.lossRatio)) return this.drop(from, to, msgId, 'loss');
    this.putOnWire(link, msgId, msg, spare);
    if (link.duplicateRatio > 0 && link.random.chance(link.duplicateRatio)) this.putOnWire(link, msgId, copyOnWire(msg), null);
  }

  private putOnWire(link: Link, msgId: number, msg: unknown, spare: SimEvent | null): void {
    // Bound: at most `capacity` messages in flight per directed link; overflow is dropped and counted.
    if (link.inFlight >= link.capacity) return this.drop(link.from, link.to, msgId, 'overflow');
    link.inFlight++;
    const at = this.now + link.sampleLatency();
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
    link.inFlight--;
    this.drop(event.peer, event.node, event.ref, reason);
  }

  private drop(from: number, to: number, msgId: number, reason: DropReason): void {
    this.stats.messagesDropped++;
    this.stats.dropsByReason[reason]++;
    this.fingerprint.event(header(Code.Drop, from, to), this.now, msgId, DROP_CODES[reason]);
    if (this.materialize) {
      this.emit({ type: 'drop', at: this.now, from: this.nodes[from]!.id, to: this.nodes[to]!.id, msgId, reason });
    }
  }

  private readonly held = new Map<Link, SimEvent[]>();

  private heldOn(link: Link): SimEvent[] {
    let list = this.held.get(link);
    if (list === undefined) {
      list = [];
      this.held.set(link, list);
    }
    return list;
  }

  // ---- timers ---------------------------------------------------------------------------------

  setTimer(node: NodeRecord, name: string, afterMicros: Micros): void {
    if (!Number.isSafeInteger(afterMicros) || afterMicros < 0) {
      assert(false, `${node.id}: timer '${name}' needs a non-negative integer delay, got ${afterMicros}`);
    }
    const token = ++this.nextTimerToken;
    node.timers.set(name, token);
    this.queue.push(new SimEvent(this.now + node.clock.trueSpan(afterMicros), Kind.Timer, node.index, -1, token, name));
  }

  private timerNameCode(name: string): number {
    let code = this.timerNameCodes.get(name);
    if (code === undefined) {
      code = sealAndHash(name);
      this.timerNameCodes.set(name, code);
    }
    return code;
  }

  // ---- observations and history ---------------------------------------------------------------

  recordObservation(node: NodeRecord, fact: Observation): void {
    this.fingerprint.event(header(Code.Observe, node.index, -1), this.now, sealAndHash(fact), 0);
    if (this.materialize) this.emit({ type: 'observe', at: this.now, node: node.id, fact });
    for (const checker of this.observationCheckers) {
      const problem = checker.onObservation!(node.id, fact, this.view);
      if (problem) this.reportViolation(checker.name, problem);
    }
    for (const observer of this.factObservers) observer.onFact!(node.id, fact, this.view);
  }

  /** History listener: an invoke goes into the fingerprint and the trace. */
  onInvoke(op: Operation): void {
    this.fingerprint.event(header(Code.Invoke, this.node(op.client).index, -1), this.now, op.id, sealAndHash(op.input));
    if (this.materialize) this.emit({ type: 'invoke', at: this.now, node: op.client, opId: op.id, input: op.input });
  }

  /** History listener: a completion goes into the fingerprint and the trace. */
  onComplete(op: Operation): void {
    const status = op.status as 'ok' | 'fail';
    // The status rides in the header's first node slot (1 ok, 2 fail).
    this.fingerprint.event(header(Code.Complete, status === 'ok' ? 0 : 1, -1), this.now, op.id, sealAndHash(op.output));
    if (this.materialize) this.emit({ type: 'complete', at: this.now, node: op.client, opId: op.id, status, output: op.output });
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
   * Applies one fault entry now. Entries that do not apply (crash a crashed node) are traced but change
   * nothing; so is an entry whose role reference cannot be resolved now (no leader at that moment).
   */
  applyFault(original: FaultEntry, source: 'schedule' | 'recovery'): void {
    const entry = this.resolveFault(original);
    if (entry !== original) this.resolutions.push({ fault: original, resolved: entry });
    // The header's node slots carry the source (1 schedule, 2 recovery) and whether a reference was
    // resolved (1 no, 2 yes: then the resolved entry's hash, 0 for unresolvable, is the second value).
    const resolved = entry !== original;
    this.fingerprint.event(
      header(Code.Fault, source === 'schedule' ? 0 : 1, resolved ? 1 : 0),
      this.now,
      sealAndHash(original),
      resolved ? (entry === null ? 0 : sealAndHash(entry)) : 0,
    );
    if (this.materialize) this.emit({ type: 'fault', at: this.now, fault: original, source, ...(entry !== original ? { resolved: entry } : {}) });
    if (entry === null) return;
    switch (entry.kind) {
      case 'partition':
        if ('groups' in entry) {
          const groupOf = new Map<number, number>();
          entry.groups.forEach((group, g) => group.forEach((id) => groupOf.set(this.node(id).index, g)));
          for (const link of this.links) {
            const a = groupOf.get(link.from);
            const b = groupOf.get(link.to);
            if (a !== undefined && b !== undefined && a !== b) link.cut = true;
          }
        } else {
          for (const link of this.selectLinks(entry)) link.cut = true;
        }
        return;
      case 'heal':
        for (const link of this.links) link.cut = false;
        return;
      case 'crash':
        return this.crash(this.node(entry.node));
      case 'restart': {
        const node = this.node(entry.node);
        if (node.status === 'crashed') this.boot(node, Code.Restart);
        return;
      }
      case 'pause': {
        const node = this.node(entry.node);
        if (node.status !== 'up') return;
        node.status = 'paused';
        this.traceNode(Code.Pause, 'pause', node);
        return;
      }
      case 'resume': {
        const node = this.node(entry.node);
        if (node.status !== 'paused') return;
        node.status = 'up';
        this.traceNode(Code.Resume, 'resume', node);
        // What arrived during the pause is processed now, in arrival order.
        for (const event of node.backlog.splice(0)) this.requeueNow(event);
        return;
      }
      case 'clog':
        for (const link of this.selectLinks(entry)) link.clogged = true;
        return;
      case 'unclog':
        for (const link of this.selectLinks(entry)) {
          if (!link.clogged) continue;
          link.clogged = false;
          const held = this.held.get(link);
          if (held) for (const event of held.splice(0)) this.requeueNow(event);
        }
        return;
      case 'loss':
        for (const link of this.selectLinks(entry)) link.lossRatio = entry.ratio;
        return;
      case 'duplicate':
        for (const link of this.selectLinks(entry)) link.duplicateRatio = entry.ratio;
        return;
      case 'delay':
        for (const link of this.selectLinks(entry)) link.latency = entry.latency;
        return;
      case 'clock-skew':
        this.node(entry.node).clock.setOffset(this.now, entry.offsetMicros);
        return;
      case 'clock-drift':
        this.node(entry.node).clock.setDriftPpm(this.now, entry.ppm);
        return;
    }
  }

  /** What each entry with a role reference resolved to, in the order applied (null: not resolvable then). */
  readonly resolutions: { fault: FaultEntry; resolved: FaultEntry | null }[] = [];
  /** Names bound by `as` in this run's schedule. */
  private readonly bindings = new Map<string, NodeId>();
  /** Picks among followers for `@follower`: its own stream, so it disturbs no one else's draws. */
  private readonly rolesRng: Rng;

  private resolveRef(ref: NodeId): NodeId | undefined {
    if (!isNodeRef(ref)) return ref;
    if (ref.startsWith('$')) return this.bindings.get(ref.slice(1));
    const leader = this.options.roles?.leader(this.view);
    if (ref === '@leader') return leader;
    if (ref === '@follower') {
      const followers = this.view.servers.filter((id) => id !== leader && this.node(id).status === 'up');
      return followers.length === 0 ? undefined : this.rolesRng.pick(followers);
    }
    return undefined;
  }

  /** The entry with every reference replaced by a node id; null if one cannot be resolved now. */
  private resolveFault(entry: FaultEntry): FaultEntry | null {
    const refs = (list: readonly NodeId[] | undefined) => list?.some(isNodeRef) ?? false;
    const needs = ('node' in entry && isNodeRef(entry.node)) || ('as' in entry && entry.as !== undefined)
      || ('groups' in entry && entry.groups.some(refs)) || ('from' in entry && refs(entry.from)) || ('to' in entry && refs(entry.to));
    if (!needs) return entry;
    const resolveList = (list: readonly NodeId[]): NodeId[] | null => {
      const out: NodeId[] = [];
      for (const ref of list) {
        const id = this.resolveRef(ref);
        if (id === undefined) return null;
        if (!out.includes(id)) out.push(id);
      }
      return out;
    };
    if ('groups' in entry) {
      const resolved: NodeId[][] = [];
      for (const group of entry.groups) {
        const ids = resolveList(group.filter((ref) => ref !== REST_REF));
        if (ids === null) return null;
        resolved.push(ids);
      }
      // @rest: every node not named in another group. A node named twice stays in its first group.
      const named = new Set<NodeId>();
      const groups = resolved.map((ids) => ids.filter((id) => !named.has(id) && (named.add(id), true)));
      entry.groups.forEach((group, g) => {
        if (group.includes(REST_REF)) groups[g]!.push(...this.view.nodes.filter((id) => !named.has(id)));
      });
      return { at: entry.at, kind: 'partition', groups };
    }
    const out: Record<string, unknown> = { ...entry };
    if ('node' in entry) {
      const id = this.resolveRef(entry.node);
      if (id === undefined) return null;
      out.node = id;
      if ('as' in entry && entry.as !== undefined) {
        this.bindings.set(entry.as, id);
        delete out.as;
      }
    }
    for (const side of ['from', 'to'] as const) {
      const list = (entry as LinkSelector)[side];
      if (list === undefined) continue;
      const ids = resolveList(list);
      if (ids === null) return null;
      out[side] = ids;
    }
    return out as unknown as FaultEntry;
  }

  private crash(node: NodeRecord): void {
    if (node.status === 'crashed') return;
    node.status = 'crashed';
    node.crashes++;
    node.process = null;
    node.context = null;
    node.timers.clear();
    // Invariant: writes since the last sync do not survive a crash.
    node.disk.loseUnsynced();
    this.traceNode(Code.Crash, 'crash', node);
    for (const event of node.backlog.splice(0)) {
      if (event.kind === Kind.Deliver) this.dropInFlight(this.link(event.peer, event.node), event, 'crashed');
    }
  }

  private traceNode(code: number, type: 'crash' | 'pause' | 'resume', node: NodeRecord): void {
    this.fingerprint.event(header(code, node.index, -1), this.now, 0, 0);
    if (this.materialize) this.emit({ type, at: this.now, node: node.id });
  }

  private requeueNow(event: SimEvent): void {
    event.at = this.now;
    this.queue.push(event);
  }

  private selectLinks(selector: LinkSelector): Link[] {
    const from = selector.from ? new Set(selector.from.map((id) => this.node(id).index)) : undefined;
    const to = selector.to ? new Set(selector.to.map((id) => this.node(id).index)) : undefined;
    return this.links.filter((l) => l.from !== l.to && (!from || from.has(l.from)) && (!to || to.has(l.to)));
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
    const index = this.indexOf(id);
    assert(index !== undefined, `unknown node '${id}'`);
    return this.nodes[index]!;
  }

  private link(from: number, to: number): Link {
    return this.links[from * this.nodes.length + to]!;
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
