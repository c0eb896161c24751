// Records each event of a run once, with one method per event kind: the method folds the event into
// the run's fingerprint as one word and, only when someone listens (a trace sink or an `onEvent`
// checker: `TracingRecorder`), builds the trace object too. Nodes are named by index (0…n-1, the
// scenario's order); the engine has checked that there are at most RECORDED_NODES_MAX of them.

import { assert } from './assert.js';
import type { FaultEntry } from './faults.js';
import { Fingerprint, sealAndHash, sealForWire } from './hash.js';
import type { DropReason } from './network.js';
import type { NodeId, Observation } from './process.js';
import type { Micros } from './time.js';
import type { TraceEvent } from './trace.js';

// Codes are a `const enum`: their values are written into the code where used, whereas V8 reads a
// module-level `const` from the module's context, checked, each time.

/** Event codes folded into the fingerprint (stable: changing one changes every fingerprint). */
const enum Code {
  Start = 1, Send = 2, Deliver = 3, Drop = 4, Timer = 5, Crash = 6, Restart = 7,
  Pause = 8, Resume = 9, Fault = 10, Observe = 11, Invoke = 12, Complete = 13, Phase = 14, Leave = 15,
}

/** Node indices are packed into 12 bits of a fingerprint word. */
export const RECORDED_NODES_MAX = 4095;

/** One fingerprint word's head: the event code and two node slots (-1: none). */
function header(code: number, a: number, b: number): number {
  return code | ((a + 1) << 8) | ((b + 1) << 20);
}

function dropCode(reason: DropReason): number {
  switch (reason) {
    case 'loss': return 1;
    case 'partition': return 2;
    case 'overflow': return 3;
    case 'crashed': return 4;
    case 'trigger': return 5;
  }
}

/**
 * The one place a run's events are encoded: one method per event kind, called once per event by the
 * engine. Each takes what the event's trace object holds (nodes by index; a sent message's content
 * hash, which the engine computes once per broadcast) and folds the fingerprint word (a recorder is
 * the run's `Fingerprint`; nothing else folds into it). `TracingRecorder`
 * also builds the trace object; `record` folds a built trace object through the same methods, so the
 * fingerprint is a function of the trace.
 */
export class Recorder extends Fingerprint {
  private readonly timerNameCodes = new Map<string, number>();
  private indexById: Map<NodeId, number> | undefined;

  /** @param ids node ids by index */
  constructor(protected readonly ids: readonly NodeId[]) {
    super();
  }

  /** A node booted for the first time. */
  start(at: Micros, node: number): void {
    this.event(header(Code.Start, node, -1), at, 0, 0);
  }

  /** A crashed node booted again. */
  restart(at: Micros, node: number): void {
    this.event(header(Code.Restart, node, -1), at, 0, 0);
  }

  crash(at: Micros, node: number): void {
    this.event(header(Code.Crash, node, -1), at, 0, 0);
  }

  pause(at: Micros, node: number): void {
    this.event(header(Code.Pause, node, -1), at, 0, 0);
  }

  resume(at: Micros, node: number): void {
    this.event(header(Code.Resume, node, -1), at, 0, 0);
  }

  /** The node left the cluster (absent from now on). */
  leave(at: Micros, node: number): void {
    this.event(header(Code.Leave, node, -1), at, 0, 0);
  }

  /** A message handed to the network; `hash` is `sealForWire` of its content. */
  send(at: Micros, from: number, to: number, msgId: number, hash: number, msg: unknown): void {
    // `this.event(header(Code.Send, from, to), at, msgId, hash)`, written out: this runs for every
    // message, and a call less lets the optimiser inline this method into the engine's send path.
    let value = (Code.Send | ((from + 1) << 8) | ((to + 1) << 20)) ^ Math.imul(at, 0x9e3779b1) ^ Math.imul(msgId, 0x85ebca77) ^ Math.imul(hash, 0xc2b2ae3d);
    if (at > 0xffff_ffff) value ^= Math.imul((at / 0x1_0000_0000) | 0, 0x27d4eb2f);
    const high = Math.imul(this.high ^ value, 0x01000193);
    this.high = high;
    this.low = (Math.imul(this.low ^ value, 0x5bd1e995) + high) | 0;
    this.words++;
  }

  /** A message handed to its receiver (its content was folded at send; the id ties the two). */
  deliver(at: Micros, from: number, to: number, msgId: number, msg: unknown): void {
    // `this.event(header(Code.Deliver, from, to), at, msgId, 0)`, written out (see `send`).
    let value = (Code.Deliver | ((from + 1) << 8) | ((to + 1) << 20)) ^ Math.imul(at, 0x9e3779b1) ^ Math.imul(msgId, 0x85ebca77);
    if (at > 0xffff_ffff) value ^= Math.imul((at / 0x1_0000_0000) | 0, 0x27d4eb2f);
    const high = Math.imul(this.high ^ value, 0x01000193);
    this.high = high;
    this.low = (Math.imul(this.low ^ value, 0x5bd1e995) + high) | 0;
    this.words++;
  }

  drop(at: Micros, from: number, to: number, msgId: number, reason: DropReason): void {
    this.event(header(Code.Drop, from, to), at, msgId, dropCode(reason));
  }

  timer(at: Micros, node: number, name: string): void {
    this.event(header(Code.Timer, node, -1), at, this.timerNameCode(name), 0);
  }

  /**
   * A fault entry applied. `resolved` is the entry itself when it named no role, else what its
   * references resolved to (null: not resolvable then). The head's node slots carry the source
   * (1 schedule, 2 recovery) and whether a reference was resolved (1 no, 2 yes: then the resolved
   * entry's hash, 0 for unresolvable, is the second value). Hashing seals (freezes) the entries.
   */
  fault(at: Micros, fault: FaultEntry, source: 'schedule' | 'recovery', resolved: FaultEntry | null): void {
    const wasResolved = resolved !== fault;
    this.event(
      header(Code.Fault, source === 'schedule' ? 0 : 1, wasResolved ? 1 : 0),
      at,
      sealAndHash(fault),
      wasResolved ? (resolved === null ? 0 : sealAndHash(resolved)) : 0,
    );
  }

  /** A fact a node reported (sealed, so frozen, by hashing). */
  observe(at: Micros, node: number, fact: Observation): void {
    this.event(header(Code.Observe, node, -1), at, sealAndHash(fact), 0);
  }

  /** A client operation invoked. */
  invoke(at: Micros, node: number, opId: number, input: unknown): void {
    this.event(header(Code.Invoke, node, -1), at, opId, sealAndHash(input));
  }

  /** A client operation completed; its status rides in the head's first node slot (1 ok, 2 fail), not its client. */
  complete(at: Micros, client: NodeId, opId: number, status: 'ok' | 'fail', output: unknown): void {
    this.event(header(Code.Complete, status === 'ok' ? 0 : 1, -1), at, opId, sealAndHash(output));
  }

  /** The run entered recovery, or ended; the phase rides in the head's first node slot (1 recovery, 2 end). */
  phase(at: Micros, phase: 'recovery' | 'end'): void {
    this.event(header(Code.Phase, phase === 'recovery' ? 0 : 1, -1), at, 0, 0);
  }

  /**
   * Records an already-built trace event, as emitted by a run over the same nodes: a twin recorder fed
   * a run's trace as it streams ends with the run's fingerprint. (Feed it as the events arrive: a
   * receiver may still change the top level of the message object it was handed.)
   */
  record(event: TraceEvent): void {
    const at = event.at;
    switch (event.type) {
      case 'start': return this.start(at, this.indexOf(event.node));
      case 'restart': return this.restart(at, this.indexOf(event.node));
      case 'crash': return this.crash(at, this.indexOf(event.node));
      case 'pause': return this.pause(at, this.indexOf(event.node));
      case 'resume': return this.resume(at, this.indexOf(event.node));
      case 'leave': return this.leave(at, this.indexOf(event.node));
      case 'send':
        return this.send(at, this.indexOf(event.from), this.indexOf(event.to), event.msgId, sealForWire(event.msg), event.msg);
      case 'deliver': return this.deliver(at, this.indexOf(event.from), this.indexOf(event.to), event.msgId, event.msg);
      case 'drop': return this.drop(at, this.indexOf(event.from), this.indexOf(event.to), event.msgId, event.reason);
      case 'timer': return this.timer(at, this.indexOf(event.node), event.name);
      case 'fault': return this.fault(at, event.fault, event.source, event.resolved === undefined ? event.fault : event.resolved);
      case 'observe': return this.observe(at, this.indexOf(event.node), event.fact);
      case 'invoke': return this.invoke(at, this.indexOf(event.node), event.opId, event.input);
      case 'complete': return this.complete(at, event.node, event.opId, event.status, event.output);
      case 'phase': return this.phase(at, event.phase);
    }
  }

  private indexOf(id: NodeId): number {
    if (this.indexById === undefined) this.indexById = new Map(this.ids.map((node, index) => [node, index]));
    const index = this.indexById.get(id);
    assert(index !== undefined, `trace names unknown node '${id}'`);
    return index;
  }

  private timerNameCode(name: string): number {
    let code = this.timerNameCodes.get(name);
    if (code === undefined) {
      code = sealAndHash(name);
      this.timerNameCodes.set(name, code);
    }
    return code;
  }
}

/**
 * A recorder that also builds each event's trace object, after folding its word, and hands it to
 * `emit` (a trace sink, `onEvent` checkers). A subclass rather than a flag checked at each event: the
 * plain recorder's methods stay small enough to be inlined into the engine's per-message path.
 */
export class TracingRecorder extends Recorder {
  /**
   * @param ids  node ids by index
   * @param emit receives each trace object, in order
   */
  constructor(
    ids: readonly NodeId[],
    private readonly emit: (event: TraceEvent) => void,
  ) {
    super(ids);
  }

  override start(at: Micros, node: number): void {
    super.start(at, node);
    this.emit({ type: 'start', at, node: this.ids[node]! });
  }

  override restart(at: Micros, node: number): void {
    super.restart(at, node);
    this.emit({ type: 'restart', at, node: this.ids[node]! });
  }

  override crash(at: Micros, node: number): void {
    super.crash(at, node);
    this.emit({ type: 'crash', at, node: this.ids[node]! });
  }

  override pause(at: Micros, node: number): void {
    super.pause(at, node);
    this.emit({ type: 'pause', at, node: this.ids[node]! });
  }

  override resume(at: Micros, node: number): void {
    super.resume(at, node);
    this.emit({ type: 'resume', at, node: this.ids[node]! });
  }

  override leave(at: Micros, node: number): void {
    super.leave(at, node);
    this.emit({ type: 'leave', at, node: this.ids[node]! });
  }

  override send(at: Micros, from: number, to: number, msgId: number, hash: number, msg: unknown): void {
    super.send(at, from, to, msgId, hash, msg);
    this.emit({ type: 'send', at, from: this.ids[from]!, to: this.ids[to]!, msgId, msg });
  }

  override deliver(at: Micros, from: number, to: number, msgId: number, msg: unknown): void {
    super.deliver(at, from, to, msgId, msg);
    this.emit({ type: 'deliver', at, from: this.ids[from]!, to: this.ids[to]!, msgId, msg });
  }

  override drop(at: Micros, from: number, to: number, msgId: number, reason: DropReason): void {
    super.drop(at, from, to, msgId, reason);
    this.emit({ type: 'drop', at, from: this.ids[from]!, to: this.ids[to]!, msgId, reason });
  }

  override timer(at: Micros, node: number, name: string): void {
    super.timer(at, node, name);
    this.emit({ type: 'timer', at, node: this.ids[node]!, name });
  }

  override fault(at: Micros, fault: FaultEntry, source: 'schedule' | 'recovery', resolved: FaultEntry | null): void {
    super.fault(at, fault, source, resolved);
    this.emit({ type: 'fault', at, fault, source, ...(resolved !== fault ? { resolved } : {}) });
  }

  override observe(at: Micros, node: number, fact: Observation): void {
    super.observe(at, node, fact);
    this.emit({ type: 'observe', at, node: this.ids[node]!, fact });
  }

  override invoke(at: Micros, node: number, opId: number, input: unknown): void {
    super.invoke(at, node, opId, input);
    this.emit({ type: 'invoke', at, node: this.ids[node]!, opId, input });
  }

  override complete(at: Micros, client: NodeId, opId: number, status: 'ok' | 'fail', output: unknown): void {
    super.complete(at, client, opId, status, output);
    this.emit({ type: 'complete', at, node: client, opId, status, output });
  }

  override phase(at: Micros, phase: 'recovery' | 'end'): void {
    super.phase(at, phase);
    this.emit({ type: 'phase', at, phase });
  }
}
