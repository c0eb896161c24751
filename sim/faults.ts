// Fault schedules: plain JSON entries `{ at, kind, … }` that the engine applies at their virtual time.
// This module validates a schedule a user wrote (one-line errors naming the entry and field) and
// normalises it to a canonical shape, so a recorded schedule replays to the same fingerprint.

import { InputError } from './errors.js';
import { latencyProblem, type LatencyModel } from './network.js';
import type { NodeId, RequestCheck } from './process.js';
import { formatMicros, formatSignedMicros, parseDuration, type Micros } from './time.js';

/** Directed links from every node in `from` to every node in `to`; an omitted side means all nodes. */
export interface LinkSelector {
  readonly from?: readonly NodeId[];
  readonly to?: readonly NodeId[];
}

/** Every entry that acts at its time (what a trigger's `then` may hold). */
export type PlainFaultEntry =
  /** Cuts every link between nodes of different groups (both directions); unlisted nodes are untouched. */
  | { readonly at: Micros; readonly kind: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  /** One-way: cuts only from → to. */
  | { readonly at: Micros; readonly kind: 'partition'; readonly from: readonly NodeId[]; readonly to: readonly NodeId[] }
  /** Removes every partition cut. */
  | { readonly at: Micros; readonly kind: 'heal' }
  /** `node` may be a role (`@leader`, `@follower`) or a name bound earlier (`$L`); `as` binds what it resolved to. */
  | { readonly at: Micros; readonly kind: 'crash' | 'restart' | 'pause' | 'resume'; readonly node: NodeId; readonly as?: string }
  /**
   * Membership: `join` boots a node that is absent (a dormant spare, or one that left) as a fresh node
   * with an empty disk; `leave` asks an up node to leave gracefully (its `onLeave` hook; it goes once it
   * calls `ctx.leave()`; a process without the hook goes at once). Either does nothing to a node in
   * another state (a leave of a crashed or paused node, a join of a member).
   */
  | { readonly at: Micros; readonly kind: 'join' | 'leave'; readonly node: NodeId; readonly as?: string }
  /** Holds messages on from → to until unclog (then they are released in order). */
  | ({ readonly at: Micros; readonly kind: 'clog' | 'unclog' } & LinkSelector)
  | ({ readonly at: Micros; readonly kind: 'loss' | 'duplicate'; readonly ratio: number } & LinkSelector)
  | ({ readonly at: Micros; readonly kind: 'delay'; readonly latency: LatencyModel } & LinkSelector)
  /** Sets the node's clock to read offsetMicros ahead of true time (negative: behind). */
  | { readonly at: Micros; readonly kind: 'clock-skew'; readonly node: NodeId; readonly offsetMicros: Micros; readonly as?: string }
  /** The node's clock runs ppm parts per million fast (negative: slow) from now on. */
  | { readonly at: Micros; readonly kind: 'clock-drift'; readonly node: NodeId; readonly ppm: number; readonly as?: string }
  /**
   * The node becomes an overloaded machine whose work queue is behind: a message to it is handled
   * factor × the link's latency after it was sent; its timers fire on time and its clock is unaffected
   * (slow message processing). `factor` 1 ends it. See `SLOW_FACTOR_MAX`.
   */
  | { readonly at: Micros; readonly kind: 'slow'; readonly node: NodeId; readonly factor: number; readonly as?: string }
  /**
   * The node fails `ratio` (0 … 1) of the requests it is asked to serve at once, with an error and
   * without serving them (a backend whose dependency is down answers fast and wrong; application-layer
   * fault injection, as a service mesh does). The node's code asks `ctx.failFastRatio()`; algorithms
   * without requests ignore it. `ratio` 0 ends it.
   */
  | { readonly at: Micros; readonly kind: 'fail-fast'; readonly node: NodeId; readonly ratio: number; readonly as?: string }
  /**
   * A client request on demand: `node` (a client, by id or node role such as `@client:any`) issues one
   * operation now through its `onRequestEntry` hook — `op` as given (plain data the client checked before the
   * run and put in canonical form), or, without `op`, one it draws as its workload would. Not a fault but
   * an input, scheduled and replayed like one. A crashed or absent node ignores it (recorded, changes
   * nothing); a paused one handles it when it resumes.
   */
  | { readonly at: Micros; readonly kind: 'request'; readonly node: NodeId; readonly op?: unknown };

/** A plain entry inside a trigger: it acts `afterMicros` after the trigger fires instead of at a time of its own. */
export type TriggeredFault = PlainFaultEntry extends infer E ? (E extends PlainFaultEntry ? Omit<E, 'at'> & { readonly afterMicros: Micros } : never) : never;

/** The fact a trigger waits for: its `type`, reported by a node of `role` (any, if absent), whose fields equal `where`'s. */
export interface FactPattern {
  readonly fact: string;
  readonly role?: string;
  readonly where?: Readonly<Record<string, string | number | boolean>>;
}

/** What a message rule does to a matching message as it is sent (`pass`: nothing; its `then` entries still run). */
export type MessageAction = 'drop' | 'duplicate' | 'delay' | 'pass';

/**
 * Triggers: faults aimed at the moments that matter, as data (replayable and shrinkable like any entry).
 * Armed from `at` until the fault phase ends, each fires at most `times` times.
 */
export type TriggerEntry =
  /**
   * When a node reports a fact matching the pattern, its `then` entries are scheduled `afterMicros` later,
   * with `$fact` standing for the node that reported it ("crash a voter right after it granted a vote").
   */
  | ({ readonly at: Micros; readonly kind: 'on-fact'; readonly times: number; readonly then: readonly TriggeredFault[] } & FactPattern)
  /**
   * The next `times` messages whose `type` field is `type` and whose other fields equal `where`'s (on the
   * links `from` → `to`, all if absent) are dropped, duplicated, delayed by `delayMicros` or passed as they
   * are sent; each match also schedules the `then` entries, `$from` and `$to` standing for its sender and
   * receiver ("crash a voter right after it granted a vote").
   */
  | ({
    readonly at: Micros; readonly kind: 'on-message'; readonly type: string; readonly where?: Readonly<Record<string, string | number | boolean>>;
    readonly action: MessageAction; readonly delayMicros?: Micros; readonly times: number; readonly then?: readonly TriggeredFault[];
  } & LinkSelector);

export type FaultEntry = PlainFaultEntry | TriggerEntry;

export type FaultKind = FaultEntry['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'partition', 'heal', 'crash', 'restart', 'pause', 'resume', 'clog', 'unclog',
  'loss', 'duplicate', 'delay', 'clock-skew', 'clock-drift', 'slow', 'fail-fast', 'join', 'leave',
  'on-fact', 'on-message', 'request',
];

/** Bound: a request's `op` is at most this many characters of JSON text. */
export const REQUEST_OP_CHARS_MAX = 1_000;

/** In a trigger's `then`, the node that reported the fact. */
export const FACT_NODE_REF = '$fact';
/** In a message rule's `then`, the message's sender and receiver. */
export const FROM_NODE_REF = '$from';
export const TO_NODE_REF = '$to';
const TRIGGER_REFS = [FACT_NODE_REF, FROM_NODE_REF, TO_NODE_REF];

/** Bounds: a trigger fires at most this many times, and holds at most this many entries. */
export const TRIGGER_TIMES_MAX = 1_000;
export const TRIGGER_THEN_MAX = 16;

/**
 * Node references a schedule may use besides node ids, resolved when the fault applies:
 * - `@ROLE`: every node of a role. A role is either a node role the scenario chose (`@server`,
 *   `@participant`) or a state-dependent one its role oracle answers (`@leader`, `@follower`). Where one
 *   node is needed (`node`), a node role must have exactly one member (`@coordinator`).
 * - `@ROLE:any`: one member of the role, drawn from the resolver's own random stream.
 * - `$NAME`: the node an earlier entry's `as` bound.
 * - `@rest`, in a partition's groups only: every node not named in another group.
 * `@follower` keeps its meaning from before roles were open: one follower drawn at random (as `@follower:any`).
 */
export const ROLE_REFS = ['@leader', '@follower'] as const;
export const REST_REF = '@rest';
const BINDING = /^\$[A-Za-z][\w-]*$/;
const BINDING_NAME = /^[A-Za-z][\w-]*$/;
const ROLE_REF = /^@([A-Za-z][\w-]*)(:any)?$/;

/** True for a reference that needs resolving at apply time. */
export function isNodeRef(id: string): boolean {
  return id.startsWith('@') || id.startsWith('$');
}

/** A role reference taken apart: `@participant:any` → `{ role: 'participant', any: true }`; undefined for anything else. */
export function parseRoleRef(ref: string): { readonly role: string; readonly any: boolean } | undefined {
  const match = ROLE_REF.exec(ref);
  if (match === null || ref === REST_REF) return undefined;
  return { role: match[1]!, any: match[2] !== undefined };
}

/**
 * What a schedule is checked against: the cluster's nodes with their roles, and the state-dependent role
 * names its oracle answers (`leader`, `follower`). A plain list of node ids knows no node roles and
 * accepts `@leader` and `@follower`, as schedules did before roles were open.
 */
export interface FaultCluster {
  readonly nodes: readonly FaultClusterNode[];
  readonly stateRoles: readonly string[];
}

/**
 * A node as a schedule is checked against it. With `create` (a scenario's NodeSpec), a `request` entry
 * naming the node asks a process built by it whether it takes requests (`onRequestEntry`) and to check a
 * given operation (`checkRequestOp`); factories are pure constructors, and only nodes a request names are
 * built. Without `create`, any node is taken to accept a request, and the run decides.
 */
export interface FaultClusterNode {
  readonly id: NodeId;
  readonly role: string;
  create?(): RequestTaker;
}

/** What a schedule asks of a node's process about requests (sim/process.ts's hooks). */
export interface RequestTaker {
  readonly onRequestEntry?: unknown;
  checkRequestOp?(op: unknown): RequestCheck;
}

/** Bounds on a clock-drift rate: ±50% is already absurd for real hardware. */
const DRIFT_PPM_LIMIT = 500_000;

/** The largest slow-down factor a `slow` fault takes: a thousand times slower is a machine that has stopped. */
export const SLOW_FACTOR_MAX = 1_000;

/**
 * Validates and normalises a schedule. `where` names the source in errors (a file name).
 * Accepts an array of entries, or an object with a `faults` array (a run's `--json` result or a replay file).
 * `at` may be integer microseconds or a duration string (`"2.5s"`).
 */
export function parseFaultSchedule(
  raw: unknown,
  cluster: readonly NodeId[] | FaultCluster,
  faultPhaseMicros: Micros,
  where: string,
): FaultEntry[] {
  let list = raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'faults' in raw) {
    list = (raw as { faults: unknown }).faults;
  }
  if (!Array.isArray(list)) throw new InputError(`${where}: expected a JSON array of fault entries (or an object with a "faults" array)`);
  const roles: FaultCluster = isNodeList(cluster)
    ? { nodes: cluster.map((id) => ({ id, role: '' })), stateRoles: ROLE_REFS.map((ref) => ref.slice(1)) }
    : cluster;
  const bound = new Set<string>();
  const known = new Set(roles.nodes.map((n) => n.id));
  const roleNames = [...new Set([...roles.nodes.map((n) => n.role).filter((role) => role !== ''), ...roles.stateRoles])].map((r) => `@${r}`);
  const takers = requestTakers(roles.nodes);
  const entries = list.map((item, index) => parseEntry(item, `${where}: fault #${index + 1}`, { ...roles, known, roleNames, takers }, bound, faultPhaseMicros));
  // Stable sort by time: entries at the same time keep the order they were written in.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
    .map(({ entry }) => entry);
}

/** The entry with every occurrence of the reference `ref` (in node, from, to and groups) replaced by `id`. */
export function substituteNode<E extends FaultEntry>(entry: E, ref: string, id: NodeId): E {
  const swap = (list: readonly NodeId[]) => list.map((x) => (x === ref ? id : x));
  const out: Record<string, unknown> = { ...entry };
  if ('node' in entry && entry.node === ref) out.node = id;
  if ('from' in entry && entry.from !== undefined) out.from = swap(entry.from);
  if ('to' in entry && entry.to !== undefined) out.to = swap(entry.to);
  if ('groups' in entry) out.groups = entry.groups.map(swap);
  return out as E;
}

function isNodeList(cluster: readonly NodeId[] | FaultCluster): cluster is readonly NodeId[] {
  return Array.isArray(cluster);
}

/**
 * A node's process as asked about requests, built once per schedule and only when a request names it:
 * undefined when the cluster cannot say (a node without `create`).
 */
type TakerOf = (id: NodeId) => RequestTaker | undefined;

function requestTakers(nodes: readonly FaultClusterNode[]): TakerOf {
  const built = new Map<NodeId, RequestTaker | undefined>();
  return (id) => {
    if (!built.has(id)) built.set(id, nodes.find((n) => n.id === id)?.create?.());
    return built.get(id);
  };
}

/** True for JSON data (what a schedule file can hold): null, booleans, finite numbers, strings, arrays and plain objects of them. */
function isJsonData(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonData(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as Record<string, unknown>).every((item) => isJsonData(item, depth + 1));
}

function parseEntry(
  item: unknown,
  where: string,
  cluster: FaultCluster & { readonly known: ReadonlySet<NodeId>; readonly roleNames: readonly string[]; readonly takers: TakerOf },
  bound: Set<string>,
  faultPhaseMicros: Micros,
): FaultEntry {
  const { known, roleNames } = cluster;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new InputError(`${where}: expected an object like {"at": 1000000, "kind": "crash", "node": "n1"}`);
  const e = item as Record<string, unknown>;
  const kind = e.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
    throw new InputError(`${where}: kind must be one of ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(kind)}`);
  }
  const at = parseAt(e.at, `${where} (${kind})`);
  if (at >= faultPhaseMicros) {
    throw new InputError(`${where} (${kind}): at ${at}us is not inside the fault phase (0 … ${faultPhaseMicros - 1}us); lengthen --duration or move the fault`);
  }
  const here = `${where} (${kind})`;
  const allowed = (...fields: string[]) => {
    for (const field of Object.keys(e)) {
      if (field !== 'at' && field !== 'kind' && !fields.includes(field)) {
        throw new InputError(`${here}: unknown field '${field}' (allowed: at, kind${fields.length ? ', ' + fields.join(', ') : ''})`);
      }
    }
  };
  const refHelp = `a cluster node (${[...known].join(', ')}), a role (${roleNames.join(', ')}; @ROLE:any for one member), or $NAME bound by an earlier "as"`;
  /** Checks one reference in `field`; `single`: it must name one node (a node field). */
  const checkRef = (id: unknown, field: string, single: boolean, allowRest: boolean): NodeId => {
    const fail = (): never => {
      throw new InputError(single
        ? `${here}: ${field} must name ${refHelp}; got ${JSON.stringify(id)}`
        : `${here}: ${field} names unknown node ${JSON.stringify(id)} (expected ${refHelp}${allowRest ? ', or @rest' : ''})`);
    };
    if (typeof id !== 'string') return fail();
    if (known.has(id) || (allowRest && id === REST_REF)) return id;
    if (BINDING.test(id) && bound.has(id.slice(1))) return id;
    const ref = parseRoleRef(id);
    if (ref === undefined) return fail();
    if (cluster.stateRoles.includes(ref.role)) return id;
    const members = cluster.nodes.filter((n) => n.role === ref.role).map((n) => n.id);
    if (members.length === 0) throw new InputError(`${here}: ${field} names unknown role ${id} (roles here: ${roleNames.join(', ') || 'none'})`);
    if (single && !ref.any && members.length > 1) throw new InputError(`${here}: ${field} ${id} names ${members.length} nodes (${members.join(', ')}); use @${ref.role}:any for one drawn at random`);
    return id;
  };
  const node = (): NodeId => checkRef(e.node, 'node', true, false);
  const binding = (): { as?: string } => {
    if (e.as === undefined) return {};
    if (typeof e.as !== 'string' || !BINDING_NAME.test(e.as)) throw new InputError(`${here}: as must be a name like "L" (letters, digits, - and _); got ${JSON.stringify(e.as)}`);
    if (TRIGGER_REFS.includes(`$${e.as}`)) throw new InputError(`${here}: as "${e.as}" is reserved ($fact, $from and $to name the nodes a trigger fired on)`);
    bound.add(e.as);
    return { as: e.as };
  };
  const nodeList = (field: string, required: boolean): NodeId[] | undefined => {
    const value = e[field];
    if (value === undefined) {
      if (required) throw new InputError(`${here}: field '${field}' is required (a node id or a list of node ids)`);
      return undefined;
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0) throw new InputError(`${here}: ${field} must be a node id or a non-empty list of node ids`);
    for (const id of list) checkRef(id, field, false, false);
    return [...new Set(list as string[])];
  };
  const links = (): LinkSelector => {
    const from = nodeList('from', false);
    const to = nodeList('to', false);
    return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  };
  /** A trigger's `then`: plain entries with afterMicros, where `refs` ($fact, or $from and $to) name the nodes it fired on. */
  const thenEntries = (refs: readonly string[]): TriggeredFault[] => {
    if (!Array.isArray(e.then) || e.then.length === 0 || e.then.length > TRIGGER_THEN_MAX) throw new InputError(`${here}: then must be a list of 1 to ${TRIGGER_THEN_MAX} fault entries, each with afterMicros instead of at`);
    // The entries' own bindings (as) hold for the rest of the run; the trigger's references only inside.
    const inner = new Set([...bound, ...refs.map((ref) => ref.slice(1))]);
    const then = e.then.map((item, i): TriggeredFault => {
      const whereInner = `${here}: then[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new InputError(`${whereInner}: expected an object like {"afterMicros": 0, "kind": "crash", "node": "${refs[0]}"}`);
      const { afterMicros, ...rest } = item as Record<string, unknown>;
      if ('at' in rest) throw new InputError(`${whereInner}: a triggered entry has afterMicros (from the moment the trigger fires), not at`);
      if (rest.kind === 'on-fact' || rest.kind === 'on-message') throw new InputError(`${whereInner}: a trigger cannot hold another trigger`);
      const after = parseAt(afterMicros ?? 0, `${whereInner} afterMicros`);
      const parsed = parseEntry({ ...rest, at: 0 }, whereInner, cluster, inner, faultPhaseMicros) as PlainFaultEntry;
      const { at: _at, ...relative } = parsed;
      void _at;
      return { ...relative, afterMicros: after } as TriggeredFault;
    });
    for (const name of inner) if (!TRIGGER_REFS.includes(`$${name}`)) bound.add(name);
    return then;
  };
  const matchFields = (): Record<string, string | number | boolean> | undefined => {
    if (e.where === undefined) return undefined;
    if (e.where === null || typeof e.where !== 'object' || Array.isArray(e.where) || Object.values(e.where).some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
      throw new InputError(`${here}: where must be an object of fields and the values they must have, such as {"granted": true}`);
    }
    return { ...(e.where as Record<string, string | number | boolean>) };
  };
  const times = (): number => {
    if (e.times === undefined) return 1;
    if (!Number.isSafeInteger(e.times) || (e.times as number) < 1 || (e.times as number) > TRIGGER_TIMES_MAX) throw new InputError(`${here}: times must be an integer from 1 to ${TRIGGER_TIMES_MAX}; got ${JSON.stringify(e.times)}`);
    return e.times as number;
  };
  const ratio = (): number => {
    if (typeof e.ratio !== 'number' || !(e.ratio >= 0 && e.ratio <= 1)) throw new InputError(`${here}: ratio must be a number from 0 to 1; got ${JSON.stringify(e.ratio)}`);
    return e.ratio;
  };
  switch (kind as FaultKind) {
    case 'partition': {
      if (e.groups !== undefined) {
        allowed('groups');
        if (!Array.isArray(e.groups) || e.groups.length < 2) throw new InputError(`${here}: groups must be a list of at least two node lists`);
        const seen = new Set<string>();
        const groups = e.groups.map((group, g) => {
          if (!Array.isArray(group) || group.length === 0) throw new InputError(`${here}: groups[${g}] must be a non-empty list of node ids`);
          return group.map((id) => {
            checkRef(id, `groups[${g}]`, false, true);
            if (seen.has(id)) throw new InputError(`${here}: node ${id} is in more than one group`);
            seen.add(id);
            return id;
          });
        });
        return { at, kind: 'partition', groups };
      }
      allowed('from', 'to');
      if (e.from === undefined && e.to === undefined) throw new InputError(`${here}: give either groups (symmetric) or from and to (one-way)`);
      return { at, kind: 'partition', from: nodeList('from', true)!, to: nodeList('to', true)! };
    }
    case 'heal':
      allowed();
      return { at, kind: 'heal' };
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      allowed('node', 'as');
      return { at, kind: kind as 'crash', node: node(), ...binding() };
    case 'join':
    case 'leave':
      allowed('node', 'as');
      return { at, kind: kind as 'join', node: node(), ...binding() };
    case 'clog':
    case 'unclog':
      allowed('from', 'to');
      return { at, kind: kind as 'clog', ...links() };
    case 'loss':
    case 'duplicate':
      allowed('ratio', 'from', 'to');
      return { at, kind: kind as 'loss', ratio: ratio(), ...links() };
    case 'delay': {
      allowed('latency', 'from', 'to');
      const problem = latencyProblem(e.latency);
      if (problem) throw new InputError(`${here}: latency ${problem}`);
      return { at, kind: 'delay', latency: canonicalLatency(e.latency as LatencyModel), ...links() };
    }
    case 'clock-skew': {
      allowed('node', 'offsetMicros', 'as');
      if (!Number.isSafeInteger(e.offsetMicros)) throw new InputError(`${here}: offsetMicros must be an integer (microseconds, may be negative); got ${JSON.stringify(e.offsetMicros)}`);
      return { at, kind: 'clock-skew', node: node(), offsetMicros: e.offsetMicros as number, ...binding() };
    }
    case 'clock-drift': {
      allowed('node', 'ppm', 'as');
      if (!Number.isSafeInteger(e.ppm) || Math.abs(e.ppm as number) > DRIFT_PPM_LIMIT) throw new InputError(`${here}: ppm must be an integer from -${DRIFT_PPM_LIMIT} to ${DRIFT_PPM_LIMIT}; got ${JSON.stringify(e.ppm)}`);
      return { at, kind: 'clock-drift', node: node(), ppm: e.ppm as number, ...binding() };
    }
    case 'slow': {
      allowed('node', 'factor', 'as');
      const factor = e.factor;
      if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1 || factor > SLOW_FACTOR_MAX) {
        throw new InputError(`${here}: factor must be a number from 1 (normal speed) to ${SLOW_FACTOR_MAX}; got ${JSON.stringify(factor)}`);
      }
      return { at, kind: 'slow', node: node(), factor, ...binding() };
    }
    case 'on-fact': {
      allowed('fact', 'role', 'where', 'times', 'then');
      if (typeof e.fact !== 'string' || e.fact === '') throw new InputError(`${here}: fact must name a fact type, such as "vote" or "role"; got ${JSON.stringify(e.fact)}`);
      let role: string | undefined;
      if (e.role !== undefined) {
        const roles = [...new Set(cluster.nodes.map((n) => n.role))].filter((r) => r !== '');
        if (typeof e.role !== 'string' || !roles.includes(e.role)) throw new InputError(`${here}: role must be a node role of this cluster (${roles.join(', ') || 'none'}); got ${JSON.stringify(e.role)}`);
        role = e.role;
      }
      const where = matchFields();
      const then = thenEntries([FACT_NODE_REF]);
      return { at, kind: 'on-fact', fact: e.fact, ...(role !== undefined ? { role } : {}), ...(where !== undefined ? { where } : {}), times: times(), then };
    }
    case 'on-message': {
      allowed('type', 'where', 'action', 'delayMicros', 'times', 'then', 'from', 'to');
      if (typeof e.type !== 'string' || e.type === '') throw new InputError(`${here}: type must name a message type (its "type" field), such as "append-entries"; got ${JSON.stringify(e.type)}`);
      if (e.action !== 'drop' && e.action !== 'duplicate' && e.action !== 'delay' && e.action !== 'pass') throw new InputError(`${here}: action must be drop, duplicate, delay or pass; got ${JSON.stringify(e.action)}`);
      const where = matchFields();
      const then = e.then === undefined ? undefined : thenEntries([FROM_NODE_REF, TO_NODE_REF]);
      let delayMicros: Micros | undefined;
      if (e.action === 'delay') {
        delayMicros = parseAt(e.delayMicros, `${here} delayMicros`);
        if (delayMicros <= 0) throw new InputError(`${here}: delayMicros must be positive for a delay`);
      } else if (e.delayMicros !== undefined) throw new InputError(`${here}: delayMicros is for action delay only`);
      return {
        at, kind: 'on-message', type: e.type, ...(where !== undefined ? { where } : {}), action: e.action, ...(delayMicros !== undefined ? { delayMicros } : {}),
        times: times(), ...(then !== undefined ? { then } : {}), ...links(),
      };
    }
    case 'request':
      allowed('node', 'op');
      return { at, kind: 'request', ...requestFields(e, here, checkRef, cluster) };
    case 'fail-fast': {
      allowed('node', 'ratio', 'as');
      const ratio = e.ratio;
      if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
        throw new InputError(`${here}: ratio must be a number from 0 (serve every request) to 1 (fail every request at once); got ${JSON.stringify(ratio)}`);
      }
      return { at, kind: 'fail-fast', node: node(), ratio, ...binding() };
    }
  }
}

/**
 * A request entry's node and operation, checked as far as the schedule can know: the node is a client
 * by id or node role (`@client:any`; not `@leader` or `$NAME`, which name a node only during the run),
 * every node it can name takes requests, and each accepts `op` (in the canonical form its client gives).
 */
function requestFields(
  e: Record<string, unknown>,
  here: string,
  checkRef: (id: unknown, field: string, single: boolean, allowRest: boolean) => NodeId,
  cluster: FaultCluster & { readonly takers: TakerOf },
): { node: NodeId; op?: unknown } {
  const node = checkRef(e.node, 'node', true, false);
  const role = parseRoleRef(node);
  if (node.startsWith('$') || (role !== undefined && cluster.stateRoles.includes(role.role))) {
    throw new InputError(`${here}: node must name a client by id or node role (such as @client:any), not ${node}, which names a node only during the run`);
  }
  const named = role === undefined ? [node] : cluster.nodes.filter((n) => n.role === role.role).map((n) => n.id);
  const takers = () => cluster.nodes.filter((n) => cluster.takers(n.id)?.onRequestEntry !== undefined).map((n) => n.id);
  for (const id of named) {
    const taker = cluster.takers(id);
    if (taker !== undefined && taker.onRequestEntry === undefined) {
      const able = takers();
      throw new InputError(`${here}: ${id} takes no requests (${able.length > 0 ? `nodes that do: ${able.join(', ')}` : 'no node of this scenario does'})`);
    }
  }
  if (e.op === undefined) return { node };
  const text = isJsonData(e.op) ? JSON.stringify(e.op) : undefined;
  if (text === undefined) throw new InputError(`${here}: op must be plain JSON data (an object such as {"op": "put", "key": "k1", "value": "5"})`);
  if (text.length > REQUEST_OP_CHARS_MAX) throw new InputError(`${here}: op is ${text.length} characters of JSON; at most ${REQUEST_OP_CHARS_MAX}`);
  let op: unknown = JSON.parse(text);
  for (const id of named) {
    const taker = cluster.takers(id);
    if (taker === undefined) continue;
    if (taker.checkRequestOp === undefined) throw new InputError(`${here}: ${id} takes requests but draws each operation itself: omit op`);
    const checked = taker.checkRequestOp(JSON.parse(text));
    if ('problem' in checked) throw new InputError(`${here}: op ${text} for ${id}: ${checked.problem}`);
    if (id === named[0]) op = checked.op;
  }
  return { node, op };
}

function parseAt(value: unknown, where: string): Micros {
  if (typeof value === 'string') {
    const micros = parseDuration(value);
    if (micros === undefined) throw new InputError(`${where}: at must be microseconds or a duration like "2.5s"; got ${JSON.stringify(value)}`);
    return micros;
  }
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new InputError(`${where}: at must be a non-negative integer of microseconds; got ${JSON.stringify(value)}`);
  return value as number;
}

function canonicalLatency(model: LatencyModel): LatencyModel {
  return model.kind === 'uniform'
    ? { kind: 'uniform', baseMicros: model.baseMicros, jitterMicros: model.jitterMicros }
    : { kind: 'pareto', baseMicros: model.baseMicros, scaleMicros: model.scaleMicros, shape: model.shape, maxMicros: model.maxMicros };
}

/**
 * A fault in words, as the terminal, the report and `shrink` print it: `crash n3`,
 * `n1, n2 cut off from n3, n4, n5`, `n1, n3 cannot send to n5`, `lose 20% of messages from n1`,
 * `n2's clock jumps -250ms`, `n2's clock drifts +200ppm`. Node references stay as written
 * (`the leader` for `@leader`, `$L` for a bound name).
 */
export function describeFault(entry: FaultEntry): string {
  switch (entry.kind) {
    case 'partition': {
      if ('groups' in entry) {
        const groups = entry.groups.map(nodeList);
        return groups.length === 2 ? `${groups[0]} cut off from ${groups[1]}` : `split into ${groups.join(' | ')}`;
      }
      const from = nodeList(entry.from);
      const to = nodeList(entry.to);
      return from === to ? `${from} cannot send to one another` : `${from} cannot send to ${to}`;
    }
    case 'heal':
      return 'heal every partition';
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'join':
    case 'leave':
      return `${entry.kind} ${nodeName(entry.node)}${boundAs(entry.as)}`;
    case 'clog':
      return `hold messages${linkWords(entry)}`;
    case 'unclog':
      return `release messages held${linkWords(entry)}`;
    case 'loss':
      return entry.ratio === 0 ? `stop losing messages${linkWords(entry)}` : `lose ${percent(entry.ratio)} of messages${linkWords(entry)}`;
    case 'duplicate':
      return entry.ratio === 0 ? `stop duplicating messages${linkWords(entry)}` : `duplicate ${percent(entry.ratio)} of messages${linkWords(entry)}`;
    case 'delay': {
      const l = entry.latency;
      const by = l.kind === 'uniform'
        ? `${formatMicros(l.baseMicros)}${l.jitterMicros > 0 ? ` + up to ${formatMicros(l.jitterMicros)}` : ''}`
        : `${formatMicros(l.baseMicros)} + a Pareto tail (scale ${formatMicros(l.scaleMicros)}, shape ${l.shape}, at most ${formatMicros(l.maxMicros)})`;
      return `delay messages${linkWords(entry)} by ${by}`;
    }
    case 'clock-skew':
      return `${possessive(entry.node)} clock jumps ${formatSignedMicros(entry.offsetMicros)}${boundAs(entry.as)}`;
    case 'clock-drift':
      return `${possessive(entry.node)} clock drifts ${entry.ppm > 0 ? '+' : ''}${entry.ppm.toLocaleString('en-US')}ppm${boundAs(entry.as)}`;
    case 'slow':
      return entry.factor === 1
        ? `${nodeName(entry.node)} runs at normal speed again${boundAs(entry.as)}`
        : `${nodeName(entry.node)} runs ${entry.factor}× slower${boundAs(entry.as)}`;
    case 'on-fact': {
      const who = entry.role === undefined ? 'a node' : `a ${entry.role}`;
      const where = entry.where === undefined ? '' : ` (${Object.entries(entry.where).map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
      const then = entry.then.map((t) => `${t.afterMicros > 0 ? `${formatMicros(t.afterMicros)} later ` : ''}${describeFault({ ...t, at: 0 } as PlainFaultEntry).replaceAll(FACT_NODE_REF, 'it')}`).join(', then ');
      return `when ${who} reports ${entry.fact}${where}: ${then}${entry.times > 1 ? ` (up to ${entry.times} times)` : ''}`;
    }
    case 'on-message': {
      const what = entry.action === 'delay' ? `delay by ${formatMicros(entry.delayMicros ?? 0)}` : entry.action === 'pass' ? 'on' : entry.action;
      const where = entry.where === undefined ? '' : ` (${Object.entries(entry.where).map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
      const then = entry.then === undefined ? '' : `: ${entry.then.map((t) => `${t.afterMicros > 0 ? `${formatMicros(t.afterMicros)} later ` : ''}${describeFault({ ...t, at: 0 } as PlainFaultEntry).replaceAll(FROM_NODE_REF, 'its sender').replaceAll(TO_NODE_REF, 'its receiver')}`).join(', then ')}`;
      return `${what} the next ${entry.times > 1 ? `${entry.times} ` : ''}${entry.type} message${entry.times > 1 ? 's' : ''}${where}${linkWords(entry).replace(' on every link', '')}${then}`;
    }
    case 'request':
      return `${nodeName(entry.node)} issues ${entry.op === undefined ? 'a request' : describeOp(entry.op)}`;
    case 'fail-fast':
      return entry.ratio === 0
        ? `${nodeName(entry.node)} serves its requests again${boundAs(entry.as)}`
        : `${nodeName(entry.node)} fails ${entry.ratio === 1 ? 'every request' : `${Math.round(entry.ratio * 1000) / 10}% of requests`} at once${boundAs(entry.as)}`;
  }
}

/**
 * A request's operation in words, by a convention any client may follow: its verb (`op` or `type`)
 * first, then its `key` bare, then its `value` (`put k2=5`, `get k2`, `broadcast 7`), then every other
 * field as `name=value` (`cas k2 expected=null value=5`). Strings with spaces or `=` are quoted.
 */
export function describeOp(op: unknown): string {
  if (op === null || typeof op !== 'object' || Array.isArray(op)) return opValue(op);
  const fields = { ...(op as Record<string, unknown>) };
  const words: string[] = [];
  for (const verb of ['op', 'type']) {
    if (typeof fields[verb] === 'string') {
      words.push(fields[verb] as string);
      delete fields[verb];
      break;
    }
  }
  const rest = Object.keys(fields).filter((name) => name !== 'key' && name !== 'value');
  const hasKey = 'key' in fields;
  const hasValue = 'value' in fields;
  if (hasKey && hasValue && rest.length === 0) words.push(`${opValue(fields.key)}=${opValue(fields.value)}`);
  else {
    if (hasKey) words.push(opValue(fields.key));
    if (hasValue && !hasKey) words.push(opValue(fields.value));
    for (const name of rest) words.push(`${name}=${opValue(fields[name])}`);
    if (hasValue && hasKey) words.push(`value=${opValue(fields.value)}`);
  }
  return words.length === 0 ? JSON.stringify(op) : words.join(' ');
}

function opValue(value: unknown): string {
  if (typeof value === 'string') return value !== '' && !/[\s="]/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function nodeName(id: NodeId): string {
  if (id === '@leader') return 'the leader';
  if (id === '@follower') return 'a follower';
  if (id === REST_REF) return 'the rest';
  const ref = parseRoleRef(id);
  if (ref !== undefined) return ref.any ? `one ${ref.role} (at random)` : `every ${ref.role}`;
  return id;
}

function possessive(id: NodeId): string {
  return `${nodeName(id)}'s`;
}

function boundAs(as: string | undefined): string {
  return as === undefined ? '' : ` (as $${as})`;
}

/** Nodes in natural order (`n2` before `n10`), comma-separated. */
function nodeList(ids: readonly NodeId[]): string {
  return [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map(nodeName).join(', ');
}

function linkWords(s: LinkSelector): string {
  if (s.from === undefined && s.to === undefined) return ' on every link';
  return `${s.from ? ` from ${nodeList(s.from)}` : ''}${s.to ? ` to ${nodeList(s.to)}` : ''}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
