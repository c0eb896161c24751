// Protocol scripts: rule-by-rule tests of an algorithm, one message at a time, without the simulator
// (in the spirit of etcd raft's testdata/*.txt). A script is a text file of commands, each followed by
// `----` and the output it must produce; FAULTLINE_REWRITE=1 rewrites the outputs from a fresh run.
//
// Assumes only the Process/Context contract (sim/process.ts): each node is one Process driven through a
// fake Context with a real SimDisk, one shared clock that moves only on `tick`, and a fixed random
// stream per node. Nothing is delivered unless a command says so; timers fire only when a command
// fires them. Messages are written as `Type {field: value, …}` (YAML flow syntax: bare words are strings).
//
// Commands (one per block; lines starting with # are comments, kept by a rewrite):
//   nodes n1 n2 n3 [{options}]      declare the cluster (each node's peers are the others); options go to
//                                   the adapter's `create`
//   start n1 [{durable state}]      boot n1 (the adapter turns the state into disk contents, synced)
//   deliver n2 <- n1 Type {…}       deliver this message from n1 to n2 (n1 may be a client, not a node)
//   deliver n2 <- n1                deliver the oldest undelivered message n1 sent to n2
//   timer n1 election               fire n1's timer (it must be set)
//   crash n1 / restart n1           crash (unsynced writes are lost, timers dropped) / boot again from disk
//   request c1 [{op}]               a schedule's `request` entry: c1 issues an operation (its onRequestEntry;
//                                   the op is checked by its checkRequestOp first), or draws one
//   tick 100ms                      move the clock
//   state n1 [n2 …]                 print the nodes' state
//   pending                         print undelivered messages
//   show KIND… / hide KIND…         which effects are printed: send, timer, fact, disk, state
// Output lines, in the order the handler did them: `n1 -> n2 Type {…}`, `n1 set-timer NAME`,
// `n1 cancel-timer NAME`, `n1 fact TYPE {…}`, `n1 disk write KEY VALUE` / `delete KEY` / `sync`,
// `c1 invoke #0 {…}` / `c1 ok #0 {…}` / `c1 fail #0 {…}` (client operations in the history),
// `n1 threw: …` (the node is crashed and its sends are dropped, as in the engine), then `n1 state {…}`;
// `ok` when there is nothing to print.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SimDisk, type Disk } from '../sim/disk.js';
import type { ClientHistory } from '../sim/history.js';
import { frozenCopy } from '../sim/plain-data.js';
import type { Context, NodeId, Observation, Process } from '../sim/process.js';
import { Rng } from '../sim/rng.js';
import { formatMicros, parseDuration, type Micros } from '../sim/time.js';
import { writeFileAtomically } from './atomic-file.js';

/** Plain fields of a message, fact or state, as written in a script. */
export type ScriptFields = Record<string, unknown>;

/** How a script talks about one algorithm. Only `create` is required. */
export interface ProtocolScriptAdapter<M> {
  /** A fresh process for node `id` (at `start` and every `restart`); `options` come from `nodes`. */
  create(id: NodeId, options: ScriptFields): Process<M>;
  /** A message written in a script. Default: `{ type, ...fields }`. */
  parseMessage?(type: string, fields: ScriptFields): M;
  /** A message for the output. Default: its `type` and the other fields. */
  formatMessage?(msg: M): { readonly type: string; readonly fields: ScriptFields };
  /** Disk contents (key → value) for the durable state given to `start`. Default: the fields themselves. */
  initialDisk?(state: ScriptFields): Iterable<readonly [string, unknown]>;
  /** A node's state line. Default: `process.inspect()`. */
  state?(process: Process<M>): ScriptFields | undefined;
}

type EffectKind = 'send' | 'timer' | 'fact' | 'disk' | 'state' | 'history';
const EFFECT_KINDS: readonly EffectKind[] = ['send', 'timer', 'fact', 'disk', 'state', 'history'];

/** A script that cannot run (bad syntax, an unknown node, a timer that is not set). */
export class ProtocolScriptError extends Error {
  override name = 'ProtocolScriptError';
}

// ---- values: YAML flow syntax in, the same syntax out ------------------------------------------------

function parseFields(text: string, where: string): ScriptFields {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ProtocolScriptError(`${where}: cannot read ${JSON.stringify(text)}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolScriptError(`${where}: expected {field: value, …}, got ${JSON.stringify(text)}`);
  }
  return value as ScriptFields;
}

const BARE_WORD = /^[A-Za-z_][\w./#@-]*$/;
const YAML_RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** Writes plain data compactly, so that `parseFields` reads it back: `{term: 2, entries: [1, 2]}`. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return BARE_WORD.test(value) && !YAML_RESERVED.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, field] of Object.entries(value as object)) {
      if (field === undefined) continue;
      parts.push(`${BARE_WORD.test(key) ? key : JSON.stringify(key)}: ${formatValue(field)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(String(value));
}

// ---- the fake cluster --------------------------------------------------------------------------------

interface ScriptNode<M> {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly disk: SimDisk;
  readonly rng: Rng;
  /** Timer name → the time it is due. */
  readonly timers: Map<string, Micros>;
  process: Process<M> | null;
  context: ScriptContext<M> | null;
  /** The running handler called `ctx.leave()`: the node stops once it returns. */
  leaving: boolean;
}

interface InFlight<M> {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: M;
}

/** A disk that reports each write, delete and sync as an effect. */
class RecordingDisk implements Disk {
  constructor(
    private readonly disk: SimDisk,
    private readonly record: (line: string) => void,
  ) {}

  read<T>(key: string): T | undefined {
    return this.disk.read<T>(key);
  }

  write(key: string, value: unknown): void {
    this.disk.write(key, value);
    this.record(`disk write ${key} ${formatValue(value)}`);
  }

  delete(key: string): void {
    this.disk.delete(key);
    this.record(`disk delete ${key}`);
  }

  sync(): void {
    this.disk.sync();
    this.record('disk sync');
  }

  keys(): string[] {
    return this.disk.keys();
  }
}

/** A node's view of the script's history: each operation numbered in the order invoked, each step printed. */
function scriptHistory(cluster: ScriptCluster<unknown>, self: NodeId): ClientHistory {
  const line = (what: string, opId: number, value: unknown) => cluster.effect('history', `${self} ${what} #${opId}${value === undefined ? '' : ` ${formatValue(value)}`}`);
  return {
    invoke: (input) => {
      const opId = cluster.nextOpId++;
      line('invoke', opId, input);
      return opId;
    },
    ok: (opId, output) => line('ok', opId, output),
    fail: (opId, output) => line('fail', opId, output),
  };
}

/** The Context one incarnation of a node acts through; effects are recorded in the order they happen. */
class ScriptContext<M> implements Context<M> {
  readonly self: NodeId;
  readonly peers: readonly NodeId[];
  readonly rng: Rng;
  readonly disk: Disk;
  readonly history: ClientHistory;
  /** Sends of the running handler: applied after it returns, dropped if it throws (as the engine does). */
  outbox: InFlight<M>[] = [];

  constructor(
    private readonly cluster: ScriptCluster<M>,
    private readonly node: ScriptNode<M>,
  ) {
    this.self = node.id;
    this.peers = node.peers;
    this.rng = node.rng;
    this.disk = new RecordingDisk(node.disk, (line) => cluster.effect('disk', `${node.id} ${line}`));
    this.history = scriptHistory(cluster as ScriptCluster<unknown>, node.id);
  }

  now(): Micros {
    return this.cluster.now;
  }

  send(to: NodeId, msg: M): void {
    const sent = frozenCopy(msg);
    this.outbox.push({ from: this.self, to, msg: sent });
    this.cluster.effect('send', `${this.self} -> ${to} ${this.cluster.describeMessage(sent)}`, this.outbox.length - 1);
  }

  setTimer(name: string, after: Micros): void {
    this.node.timers.set(name, this.cluster.now + after);
    this.cluster.effect('timer', `${this.self} set-timer ${name}`);
  }

  cancelTimer(name: string): void {
    // Cancelling a timer that is not set does nothing, and prints nothing.
    if (this.node.timers.delete(name)) this.cluster.effect('timer', `${this.self} cancel-timer ${name}`);
  }

  observe(fact: Observation): void {
    const { type, ...fields } = fact;
    this.cluster.effect('fact', `${this.self} fact ${type} ${formatValue(fields)}`);
  }

  /** Scripts inject no fail-fast fault: a scripted node fails nothing at once. */
  failFastRatio(): number {
    return 0;
  }

  /** The node leaves once this handler returns, as in the engine (the script then prints `n2 left`). */
  leave(): void {
    this.node.leaving = true;
  }
}

class ScriptCluster<M> {
  now: Micros = 0;
  private readonly nodes = new Map<NodeId, ScriptNode<M>>();
  private readonly inFlight: InFlight<M>[] = [];
  private readonly shown = new Set<EffectKind>(['send', 'timer', 'fact', 'state', 'history']);
  /** The next client operation's number (the history's ids). */
  nextOpId = 0;
  private options: ScriptFields = {};
  private output: string[] = [];

  constructor(private readonly adapter: ProtocolScriptAdapter<M>) {}

  /** Output positions of the running handler's sends (dropped again if it throws). */
  private sendLines: number[] = [];

  effect(kind: EffectKind, line: string, send?: number): void {
    if (!this.shown.has(kind)) return;
    if (send !== undefined) this.sendLines.push(this.output.length);
    this.output.push(line);
  }

  describeMessage(msg: M): string {
    if (this.adapter.formatMessage !== undefined) {
      const { type, fields } = this.adapter.formatMessage(msg);
      return `${type} ${formatValue(fields)}`;
    }
    const { type, ...fields } = msg as { type: unknown };
    return `${String(type)} ${formatValue(fields)}`;
  }

  /** Runs one command line and returns its output lines. */
  run(line: string, where: string): string[] {
    this.output = [];
    const [verb = '', ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(verb.length).trim();
    switch (verb) {
      case 'nodes':
        this.declare(rest, where);
        break;
      case 'start': {
        const [id = ''] = args;
        const state = rest.slice(id.length).trim();
        this.start(this.node(id, where), state === '' ? undefined : parseFields(state, where), where);
        break;
      }
      case 'restart':
        this.start(this.node(args[0] ?? '', where), undefined, where);
        break;
      case 'crash':
        this.crash(this.node(args[0] ?? '', where), where);
        break;
      case 'leave':
        this.askToLeave(this.node(args[0] ?? '', where), where);
        break;
      case 'request': {
        const [id = ''] = args;
        const op = rest.slice(id.length).trim();
        this.request(this.node(id, where), op === '' ? undefined : parseFields(op, where), where);
        break;
      }
      case 'deliver':
        this.deliver(rest, where);
        break;
      case 'timer':
        this.fireTimer(this.node(args[0] ?? '', where), args[1] ?? '', where);
        break;
      case 'tick': {
        const micros = parseDuration(args[0] ?? '');
        if (micros === undefined) throw new ProtocolScriptError(`${where}: tick needs a duration such as 100ms, got ${JSON.stringify(args[0] ?? '')}`);
        this.now += micros;
        this.output.push(`now ${formatMicros(this.now)}`);
        break;
      }
      case 'state':
        if (args.length === 0) throw new ProtocolScriptError(`${where}: state needs at least one node`);
        for (const id of args) this.printState(this.node(id, where), true);
        break;
      case 'pending':
        for (const m of this.inFlight) this.output.push(`${m.from} -> ${m.to} ${this.describeMessage(m.msg)}`);
        break;
      case 'show':
      case 'hide':
        for (const kind of args) {
          if (!EFFECT_KINDS.includes(kind as EffectKind)) throw new ProtocolScriptError(`${where}: ${verb} takes ${EFFECT_KINDS.join(', ')}; got ${JSON.stringify(kind)}`);
          if (verb === 'show') this.shown.add(kind as EffectKind);
          else this.shown.delete(kind as EffectKind);
        }
        break;
      default:
        throw new ProtocolScriptError(`${where}: unknown command ${JSON.stringify(verb)} (known: nodes, start, restart, crash, leave, request, deliver, timer, tick, state, pending, show, hide)`);
    }
    return this.output.length === 0 ? ['ok'] : this.output;
  }

  private declare(rest: string, where: string): void {
    if (this.nodes.size > 0) throw new ProtocolScriptError(`${where}: nodes may be declared once`);
    const brace = rest.indexOf('{');
    const ids = (brace < 0 ? rest : rest.slice(0, brace)).split(/\s+/).filter((w) => w !== '');
    if (ids.length === 0) throw new ProtocolScriptError(`${where}: nodes needs at least one node id`);
    this.options = brace < 0 ? {} : parseFields(rest.slice(brace), where);
    for (const id of ids) {
      if (this.nodes.has(id)) throw new ProtocolScriptError(`${where}: node ${id} declared twice`);
      this.nodes.set(id, {
        id, peers: ids.filter((other) => other !== id), disk: new SimDisk(), rng: new Rng(`protocol-script/${id}`),
        timers: new Map(), process: null, context: null, leaving: false,
      });
    }
  }

  private node(id: string, where: string): ScriptNode<M> {
    const node = this.nodes.get(id);
    if (node === undefined) throw new ProtocolScriptError(`${where}: unknown node ${JSON.stringify(id)} (declared: ${[...this.nodes.keys()].join(', ') || 'none; start with a nodes line'})`);
    return node;
  }

  private start(node: ScriptNode<M>, state: ScriptFields | undefined, where: string): void {
    if (node.process !== null) throw new ProtocolScriptError(`${where}: ${node.id} is already running (crash it first)`);
    if (state !== undefined) {
      if (node.disk.keys().length > 0) throw new ProtocolScriptError(`${where}: ${node.id} has a disk already; give durable state only at its first start`);
      const contents = this.adapter.initialDisk?.(state) ?? Object.entries(state);
      for (const [key, value] of contents) node.disk.write(key, value);
      node.disk.sync();
    }
    node.process = this.adapter.create(node.id, this.options);
    node.context = new ScriptContext(this, node);
    this.handle(node, (process, context) => process.onStart(context));
  }

  private crash(node: ScriptNode<M>, where: string): void {
    if (node.process === null) throw new ProtocolScriptError(`${where}: ${node.id} is not running`);
    const lost = node.disk.unsyncedCount;
    this.stop(node);
    this.output.push(`${node.id} crashed${lost > 0 ? `; ${lost} unsynced disk write${lost === 1 ? '' : 's'} lost` : ''}`);
  }

  /** A `leave` fault: the node's `onLeave` hook, or (without one) it leaves at once. */
  private askToLeave(node: ScriptNode<M>, where: string): void {
    if (node.process === null) throw new ProtocolScriptError(`${where}: ${node.id} is not running`);
    if (node.process.onLeave === undefined) {
      node.leaving = true;
      this.departIfLeaving(node);
      return;
    }
    this.handle(node, (process, context) => process.onLeave!(context));
  }

  /** A `request` entry: the node's `onRequestEntry` with `op` as its `checkRequestOp` gives it (undefined: it draws one). */
  private request(node: ScriptNode<M>, op: ScriptFields | undefined, where: string): void {
    const process = node.process;
    if (process === null) throw new ProtocolScriptError(`${where}: ${node.id} is not running`);
    if (process.onRequestEntry === undefined) throw new ProtocolScriptError(`${where}: ${node.id} takes no requests (its process has no onRequestEntry)`);
    let given: unknown = op;
    if (op !== undefined) {
      if (process.checkRequestOp === undefined) throw new ProtocolScriptError(`${where}: ${node.id} draws each operation itself: give no op`);
      const checked = process.checkRequestOp(op);
      if ('problem' in checked) throw new ProtocolScriptError(`${where}: op ${formatValue(op)}: ${checked.problem}`);
      given = frozenCopy(checked.op);
    }
    this.handle(node, (p, context) => p.onRequestEntry!(context, given));
  }

  /** After a handler that called `ctx.leave()`: the node is gone (its timers with it; its disk is a fresh machine's if it starts again). */
  private departIfLeaving(node: ScriptNode<M>): void {
    if (!node.leaving) return;
    node.leaving = false;
    node.timers.clear();
    node.process = null;
    node.context = null;
    node.disk.wipe();
    this.output.push(`${node.id} left`);
  }

  private stop(node: ScriptNode<M>): void {
    node.leaving = false;
    node.disk.loseUnsynced();
    node.timers.clear();
    node.process = null;
    node.context = null;
  }

  private deliver(rest: string, where: string): void {
    const match = /^(\S+)\s*<-\s*(\S+)\s*(.*)$/.exec(rest);
    if (match === null) throw new ProtocolScriptError(`${where}: expected deliver TO <- FROM [Type {…}]`);
    const [, toId = '', fromId = '', body = ''] = match;
    const to = this.node(toId, where);
    let msg: M;
    if (body === '') {
      this.node(fromId, where);
      const index = this.inFlight.findIndex((m) => m.from === fromId && m.to === toId);
      if (index < 0) throw new ProtocolScriptError(`${where}: no undelivered message from ${fromId} to ${toId}`);
      msg = this.inFlight.splice(index, 1)[0]!.msg;
    } else {
      const typeMatch = /^(\S+)\s*(.*)$/.exec(body)!;
      const fields = typeMatch[2] === '' ? {} : parseFields(typeMatch[2]!, where);
      msg = frozenCopy(this.adapter.parseMessage?.(typeMatch[1]!, fields) ?? ({ type: typeMatch[1], ...fields } as M));
    }
    if (to.process === null) throw new ProtocolScriptError(`${where}: ${toId} is not running (a crashed node receives nothing)`);
    this.handle(to, (process, context) => process.onMessage(context, fromId, msg));
  }

  private fireTimer(node: ScriptNode<M>, name: string, where: string): void {
    if (node.process === null) throw new ProtocolScriptError(`${where}: ${node.id} is not running`);
    const due = node.timers.get(name);
    if (due === undefined) throw new ProtocolScriptError(`${where}: ${node.id} has no timer ${JSON.stringify(name)} set (set: ${[...node.timers.keys()].join(', ') || 'none'})`);
    node.timers.delete(name);
    this.handle(node, (process, context) => process.onTimer(context, name));
  }

  /** Runs one handler; a throw crashes the node and discards its sends, as in the engine. */
  private handle(node: ScriptNode<M>, call: (process: Process<M>, context: ScriptContext<M>) => void): void {
    const context = node.context!;
    context.outbox = [];
    this.sendLines = [];
    try {
      call(node.process!, context);
    } catch (error) {
      if (error instanceof ProtocolScriptError) throw error;
      const dropped = new Set(this.sendLines);
      this.output = this.output.filter((_, i) => !dropped.has(i));
      this.output.push(`${node.id} threw: ${error instanceof Error ? error.message : String(error)}`);
      this.stop(node);
      return;
    }
    this.inFlight.push(...context.outbox);
    if (node.leaving) return this.departIfLeaving(node);
    this.printState(node, false);
  }

  private printState(node: ScriptNode<M>, always: boolean): void {
    if (!always && !this.shown.has('state')) return;
    if (node.process === null) {
      this.output.push(`${node.id} crashed`);
      return;
    }
    const state = this.adapter.state?.(node.process) ?? node.process.inspect?.();
    this.output.push(`${node.id} state ${formatValue(state)}`);
  }
}

// ---- the file format ---------------------------------------------------------------------------------

type Chunk = { readonly verbatim: string } | { readonly command: string; readonly line: number; readonly expected: readonly string[] };

function parseScript(text: string, file: string): Chunk[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const chunks: Chunk[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      chunks.push({ verbatim: line });
      continue;
    }
    if (lines[i + 1] !== '----') throw new ProtocolScriptError(`${file}:${i + 1}: expected ---- after the command ${JSON.stringify(line)}`);
    const expected: string[] = [];
    let j = i + 2;
    while (j < lines.length && lines[j]!.trim() !== '') expected.push(lines[j++]!);
    chunks.push({ command: line, line: i + 1, expected });
    i = j - 1;
  }
  return chunks;
}

/** The result of running a script: its text as written, and as this run would write it. */
export interface ProtocolScriptResult {
  readonly expected: string;
  readonly actual: string;
}

/** Runs a script's commands in order and returns the script text with each command's actual output. */
export function runProtocolScript<M>(text: string, adapter: ProtocolScriptAdapter<M>, file = 'script'): ProtocolScriptResult {
  const cluster = new ScriptCluster(adapter);
  const out: string[] = [];
  for (const chunk of parseScript(text, file)) {
    if ('verbatim' in chunk) {
      out.push(chunk.verbatim);
      continue;
    }
    out.push(chunk.command, '----', ...cluster.run(chunk.command, `${file}:${chunk.line}`));
  }
  return { expected: text, actual: `${out.join('\n')}\n` };
}

/**
 * Runs a script file. With FAULTLINE_REWRITE=1 in the environment the file is rewritten with the
 * actual outputs (and then `expected` equals `actual`); review the diff before committing it.
 */
export function runProtocolScriptFile<M>(path: string, adapter: ProtocolScriptAdapter<M>): ProtocolScriptResult {
  const result = runProtocolScript(readFileSync(path, 'utf8'), adapter, path);
  if (process.env.FAULTLINE_REWRITE === '1' && result.actual !== result.expected) {
    writeFileAtomically(path, result.actual);
    return { expected: result.actual, actual: result.actual };
  }
  return result;
}
