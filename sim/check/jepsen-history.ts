// Jepsen histories as Jepsen writes them: one op map per line (history.edn) or one vector of maps
// (Knossos's files), maps bare or tagged (#jepsen.history.Op{…}). Read into neutral events, then paired
// per client process. A client has an integer :process; every other process (:nemesis …) is counted and
// ignored. The history's order is the order of the file, as Knossos takes it; :time (ns) is kept as written.

import { InputError } from '../errors.js';
import { EdnMap, EdnReader, EdnTagged, Keyword, NotPlainError, toPlain, writeEdn, type EdnValue } from './edn.js';

export type JepsenType = 'invoke' | 'ok' | 'fail' | 'info';

/** One client event, in neutral form. */
export interface JepsenEvent {
  /** :index as written, else the event's position among all events of the file (0-based). */
  readonly index: number;
  /** Position among all events of the file, nemesis included (0-based): the history's order. */
  readonly position: number;
  /** :time as written (Jepsen: nanoseconds since the test began); null when absent. */
  readonly time: number | null;
  readonly process: number;
  readonly type: JepsenType;
  /** :f's keyword name, such as `read`. */
  readonly f: string;
  /** :value as plain JS (see toPlain in edn.ts); null when absent. */
  readonly value: unknown;
  /** The whole map, for fields a caller wants beyond these (:key, :error …). */
  readonly raw: EdnMap;
  /** Where it is, for messages: `line 12` or `line 12 (vector item 7)`. */
  readonly where: string;
}

export interface JepsenHistory {
  /** Client events in file order. */
  readonly events: readonly JepsenEvent[];
  /** Events of non-client processes, skipped. */
  readonly ignored: IgnoredEvents;
  readonly form: 'lines' | 'vector';
}

export interface IgnoredEvents {
  readonly events: number;
  /** The skipped processes as written (`:nemesis`), first-seen order. */
  readonly processes: readonly string[];
}

/** An :invoke and what became of it. */
export interface JepsenOperation {
  readonly process: number;
  readonly f: string;
  readonly invoke: JepsenEvent;
  /** The same process's next event, an :ok, :fail or :info; null when the history ends first. */
  readonly completion: JepsenEvent | null;
  /** ok: happened; fail: did not happen; info or open: unknown (it may have happened). */
  readonly outcome: 'ok' | 'fail' | 'info' | 'open';
}

const TYPES: ReadonlySet<string> = new Set(['invoke', 'ok', 'fail', 'info']);

/**
 * Reads a Jepsen history; `where` names the file in errors. A file whose first character is `[` (or `(`)
 * is one collection of op maps; otherwise each top-level form is one op map (one per line, as Jepsen writes).
 */
export function readJepsenHistory(text: string, where: string): JepsenHistory {
  const reader = new EdnReader(text, where);
  const events: JepsenEvent[] = [];
  const ignoredProcesses = new Set<string>();
  let ignored = 0;
  let position = 0;
  const take = (form: EdnValue, here: string): void => {
    const event = readEvent(form, position++, where, here);
    if (typeof event === 'string') {
      ignored++;
      ignoredProcesses.add(event);
    } else {
      events.push(event);
    }
  };
  const first = reader.peek();
  const form = first === '[' || first === '(' ? 'vector' : 'lines';
  if (form === 'vector') {
    const [line, column] = [reader.line, reader.column];
    const close = first === '[' ? ']' : ')';
    reader.take();
    for (let item = 0; ; item++) {
      const next = reader.peek();
      if (next === close) break;
      if (next === '') reader.fail(`unexpected end of input: the ${close === ']' ? 'vector' : 'list'} of operations that opens here is not closed`, line, column);
      const itemLine = reader.line;
      take(reader.read(), `line ${itemLine} (vector item ${item})`);
    }
    reader.take();
    if (reader.more()) reader.fail('expected nothing after the vector of operations');
  } else {
    while (reader.more()) {
      const line = reader.line;
      take(reader.read(), `line ${line}`);
    }
  }
  return { events, ignored: { events: ignored, processes: [...ignoredProcesses] }, form };
}

// A client event, or the process's EDN text when the process is not a client. `place` is the line
// (and vector item) within the file `where`.
function readEvent(form: EdnValue, position: number, where: string, place: string): JepsenEvent | string {
  const map = form instanceof EdnTagged ? form.value : form;
  if (!(map instanceof EdnMap)) throw new InputError(`${where}: ${place}: expected an op map like {:process 0, :type :invoke, :f :read, :value nil}; got ${preview(form)}`);
  const process = map.get('process');
  if (process === undefined) throw new InputError(`${where}: ${place}: the op has no :process`);
  if (typeof process !== 'number' || !Number.isInteger(process)) return writeEdn(process);
  const type = map.get('type');
  if (!(type instanceof Keyword) || !TYPES.has(type.name)) throw new InputError(`${where}: ${place}: :type must be :invoke, :ok, :fail or :info; got ${preview(type ?? null)}`);
  const f = map.get('f');
  if (!(f instanceof Keyword)) throw new InputError(`${where}: ${place}: :f must be a keyword such as :read; got ${preview(f ?? null)}`);
  const index = map.get('index');
  if (index !== undefined && (typeof index !== 'number' || !Number.isSafeInteger(index))) throw new InputError(`${where}: ${place}: :index must be an integer; got ${preview(index)}`);
  const time = map.get('time');
  if (time !== undefined && (typeof time !== 'number' || !Number.isSafeInteger(time))) throw new InputError(`${where}: ${place}: :time must be an integer (nanoseconds); got ${preview(time)}`);
  return {
    index: index ?? position,
    position,
    time: time ?? null,
    process,
    type: type.name as JepsenType,
    f: f.name,
    value: plainOf(map.get('value') ?? null, where, place, ':value'),
    raw: map,
    where: place,
  };
}

/** `value` as plain JS, or an InputError naming the file, the place in it and the field (`what`). */
export function plainOf(value: EdnValue, where: string, place: string, what: string): unknown {
  try {
    return toPlain(value);
  } catch (error) {
    if (error instanceof NotPlainError) throw new InputError(`${where}: ${place}: ${what}: ${error.message}`);
    throw error;
  }
}

function preview(value: EdnValue): string {
  const text = writeEdn(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Pairs each client :invoke with the same process's next event, which must complete it (:ok, :fail or
 * :info, with the same :f). An :invoke the history never completes is `open`. Operations come in the
 * order of their :invoke. Errors name the line: a completion with no :invoke, an :invoke while one is
 * pending, a completion for another :f, a completion whose :time is before its :invoke's.
 */
export function pairJepsenOperations(history: JepsenHistory, where: string): JepsenOperation[] {
  const slots: (JepsenOperation | JepsenEvent)[] = [];
  const pending = new Map<number, number>(); // process -> its :invoke's slot
  for (const event of history.events) {
    const slot = pending.get(event.process);
    if (event.type === 'invoke') {
      if (slot !== undefined) throw new InputError(`${where}: ${event.where}: process ${event.process} invokes again before its ${(slots[slot] as JepsenEvent).where} completed`);
      pending.set(event.process, slots.length);
      slots.push(event);
      continue;
    }
    if (slot === undefined) throw new InputError(`${where}: ${event.where}: :${event.type} for process ${event.process}, which has no pending :invoke`);
    const invoke = slots[slot] as JepsenEvent;
    if (event.f !== invoke.f) throw new InputError(`${where}: ${event.where}: :${event.type} :f :${event.f} does not match its :invoke's :f :${invoke.f} (${invoke.where})`);
    if (event.time !== null && invoke.time !== null && event.time < invoke.time) throw new InputError(`${where}: ${event.where}: :time ${event.time} is before its :invoke's :time ${invoke.time} (${invoke.where})`);
    pending.delete(event.process);
    slots[slot] = { process: event.process, f: event.f, invoke, completion: event, outcome: event.type as 'ok' | 'fail' | 'info' };
  }
  return slots.map((s) => ('outcome' in s ? s : { process: s.process, f: s.f, invoke: s, completion: null, outcome: 'open' as const }));
}

/** One line for a summary: how many events of which non-client processes were skipped ('' when none). */
export function describeIgnored(ignored: IgnoredEvents): string {
  if (ignored.events === 0) return '';
  const names = ignored.processes.length <= 3 ? ignored.processes.join(', ') : `${ignored.processes.slice(0, 3).join(', ')} and ${ignored.processes.length - 3} more`;
  return `ignored ${ignored.events} event${ignored.events === 1 ? '' : 's'} of non-client process${ignored.processes.length === 1 ? '' : 'es'} (${names})`;
}

/** Micro-op names of Elle's transactional workloads (list-append, rw-register). */
const MICRO_OPS: ReadonlySet<string> = new Set(['r', 'w', 'append']);

/**
 * Refuses a transactional history (Elle's list-append or rw-register: `:f :txn`, or a :value that is a
 * list of micro-ops such as [[:append 1 2] [:r 1 nil]]) with one line naming the checker that handles it.
 */
export function refuseTransactional(history: JepsenHistory, where: string): void {
  for (const event of history.events) {
    const value = event.raw.get('value');
    const microOps = Array.isArray(value) && value.length > 0 && value.every((m) => Array.isArray(m) && m.length === 3 && m[0] instanceof Keyword && MICRO_OPS.has(m[0].name));
    if (event.f === 'txn' || microOps) {
      const names = new Set(Array.isArray(value) ? value.map((m) => (Array.isArray(m) && m[0] instanceof Keyword ? m[0].name : '')) : []);
      const kind = names.has('append') ? ' (list-append)' : names.has('w') ? ' (rw-register)' : '';
      throw new InputError(`${where}: ${event.where}: :f :${event.f}: a transactional history${kind}; faultline check tests single-object linearizability, so check it with Elle (list-append or rw-register)`);
    }
  }
}
