// Writing a run's client history for other tools and for `faultline check`: Jepsen EDN (one op map per
// line, as Jepsen's history.edn) or faultline JSON ({"model", "initial", "operations"}). Pure: text in,
// text out; the caller writes the file atomically. Assumes the history is one the run's linearizability
// checker reads (register-like or kv operations); the EDN side keeps the checker's real-time order exactly.

import { InputError } from '../errors.js';
import type { Operation } from '../history.js';
import type { Micros } from '../time.js';
import { EdnMap, Keyword, fromPlain, writeEdn, type EdnValue } from './edn.js';
import { isModelName, type HistoryOp, type ModelName, type OpInput, type OpOutput } from './models.js';

export type HistoryFormat = 'edn' | 'json';

/** The models whose operations the EDN writer knows how to name in Jepsen's terms. */
const EDN_MODELS: ReadonlySet<ModelName> = new Set<ModelName>(['register', 'cas-register', 'kv']);

/** Jepsen's :f for each operation (the names Knossos's register models use; kv adds :append). */
const JEPSEN_F: Readonly<Record<string, string>> = { get: 'read', put: 'write', cas: 'cas', append: 'append' };

/** One client operation to write, with its fate: `fail` did not happen, `open` is unknown (may have happened). */
export interface OutOp {
  readonly client: string;
  readonly call: Micros;
  /** null while open. */
  readonly return: Micros | null;
  readonly status: 'ok' | 'fail' | 'open';
  readonly input: OpInput;
  /** null while open. */
  readonly output: OpOutput | null;
}

/**
 * The format a `--history` file name asks for, by its extension (`.edn` or `.json`, any case); anything
 * else is an InputError naming `flag` and the name.
 */
export function historyFormatOf(flag: string, path: string): HistoryFormat {
  const match = /\.([^./\\]+)$/.exec(path);
  const ext = match?.[1]!.toLowerCase();
  if (ext === 'edn' || ext === 'json') return ext;
  const got = match ? `.${match[1]}` : 'no extension';
  throw new InputError(`${flag} ${path}: the extension picks the format: .edn (Jepsen) or .json (faultline); got ${got}`);
}

/**
 * The model of a run's client history: the one its `linearizable-history` checker uses (named in that
 * checker's description, `… (kv model)`). A scenario without that checker records no history `faultline
 * check` could read: InputError naming `flag` and the scenario.
 */
export function historyModelOf(checkers: readonly { readonly name: string; readonly description: string }[], scenario: string, flag: string): ModelName {
  const checker = checkers.find((c) => c.name === 'linearizable-history');
  if (checker === undefined) throw new InputError(`${flag}: scenario ${scenario} records no client history that faultline check reads (it has no linearizable-history check; a scenario that takes clients records one with --set clients=N)`);
  const name = /\(([\w-]+) model\)$/.exec(checker.description)?.[1];
  if (!isModelName(name)) throw new InputError(`${flag}: scenario ${scenario} checks its history with a model faultline check does not know (${name ?? checker.description})`);
  return name;
}

/** InputError naming `flag` unless `format` can carry histories of `model` (EDN: register, cas-register, kv). */
export function checkHistoryModel(format: HistoryFormat, model: ModelName, flag: string): void {
  if (format === 'edn' && !EDN_MODELS.has(model)) throw new InputError(`${flag}: EDN output is written for register, cas-register and kv histories; this one is ${model} (use .json)`);
}

/** A run's history (sim/history.ts), every operation with its fate, in invoke order. */
export function fromOperations(operations: readonly Operation[]): OutOp[] {
  return operations.map((op) => ({
    client: op.client,
    call: op.call,
    return: op.status === 'open' ? null : op.return,
    status: op.status,
    input: op.input as OpInput,
    output: op.status === 'open' ? null : ((op.output ?? {}) as OpOutput),
  }));
}

/** HistoryOps (what `faultline check` reads), in call order: null return means open. */
export function fromHistoryOps(operations: readonly HistoryOp[]): OutOp[] {
  const sorted = [...operations].sort((a, b) => a.call - b.call || a.id - b.id);
  return sorted.map((op) => ({
    client: op.client,
    call: op.call,
    return: op.return,
    status: op.return === null || op.output === null ? 'open' : 'ok',
    input: op.input,
    output: op.return === null ? null : op.output,
  }));
}

/** The history as text in `format`; `initial` goes into JSON's "initial" (EDN has no place for it). */
export function historyText(format: HistoryFormat, operations: readonly OutOp[], model: ModelName, initial: unknown = null): string {
  return format === 'edn' ? ednHistoryText(operations, model) : jsonHistoryText(operations, model, initial);
}

// ---- JSON -----------------------------------------------------------------------------------------

/**
 * faultline JSON, one operation per line, "model" and "initial" set so that `faultline check FILE` needs
 * no flags. Failed operations are left out (the format has no place for them: they did not happen).
 */
export function jsonHistoryText(operations: readonly OutOp[], model: ModelName, initial: unknown = null): string {
  const lines = operations.filter((op) => op.status !== 'fail').map((op) => JSON.stringify({
    client: op.client,
    call: op.call,
    return: op.status === 'open' ? null : op.return,
    input: op.input,
    output: op.status === 'open' ? null : (op.output ?? {}),
  }));
  const head = `{"model": ${JSON.stringify(model)}, "initial": ${JSON.stringify(initial ?? null)}, "operations": [`;
  return lines.length === 0 ? `${head}]}\n` : `${head}\n${lines.join(',\n')}\n]}\n`;
}

// ---- EDN ------------------------------------------------------------------------------------------

interface EdnEvent {
  readonly time: Micros;
  /** 0: :invoke, 1: a completion, 2: an :info written at the end. */
  readonly rank: 0 | 1 | 2;
  /** The operation's place in invoke order: ties among invokes (and among completions) keep it. */
  readonly order: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly process: number;
  readonly op: OutOp;
}

/**
 * Jepsen EDN, one op map per line: `:index`, `:time` (ns: the virtual microseconds × 1000), `:type`,
 * `:process`, `:f` (:read :write :cas :append), kv ops with `:key` (rather than independent `[k v]` values,
 * which `faultline check` takes for kv only when the history has a read), `:value`. Clients are numbered
 * in order of first invoke; a cas that returned false is `:fail` (Jepsen's convention: it did not happen);
 * an unknown outcome is an `:info` at the end of the history, and the client carries on as a new process
 * (its number + the client count, as Jepsen does after a crash). At equal times invokes come before
 * completions, so operations that touch in time stay concurrent, as faultline's checker counts them; a
 * client that invokes in the microsecond its previous operation returned also moves to a new process.
 */
export function ednHistoryText(operations: readonly OutOp[], model: ModelName): string {
  checkHistoryModel('edn', model, '--history');
  const clients = new Map<string, { process: number; lastReturn: Micros | null }>();
  for (const op of operations) if (!clients.has(op.client)) clients.set(op.client, { process: clients.size, lastReturn: null });
  const count = clients.size;
  const events: EdnEvent[] = [];
  let end = 0;
  operations.forEach((op, order) => {
    const client = clients.get(op.client)!;
    // A completion at this very time would come after this invoke: the process must be a new one.
    if (client.lastReturn !== null && client.lastReturn >= op.call) client.process += count;
    const process = client.process;
    events.push({ time: op.call, rank: 0, order, type: 'invoke', process, op });
    end = Math.max(end, op.call);
    const failed = op.status === 'fail' || (op.input.op === 'cas' && op.output?.ok === false);
    if (op.status === 'open') {
      events.push({ time: 0, rank: 2, order, type: 'info', process, op });
      client.process += count;
      client.lastReturn = null;
    } else {
      events.push({ time: op.return!, rank: 1, order, type: failed ? 'fail' : 'ok', process, op });
      end = Math.max(end, op.return!);
      client.lastReturn = op.return!;
    }
  });
  const at = (e: EdnEvent) => (e.rank === 2 ? end : e.time);
  events.sort((a, b) => Number(a.rank === 2) - Number(b.rank === 2) || at(a) - at(b) || a.rank - b.rank || a.order - b.order);
  return events.map((e, index) => `${writeEdn(opMap(e, index, at(e), model))}\n`).join('');
}

function opMap(e: EdnEvent, index: number, time: Micros, model: ModelName): EdnMap {
  const { op } = e;
  const keys: EdnValue[] = [kw('index'), kw('time'), kw('type'), kw('process'), kw('f')];
  const values: EdnValue[] = [index, time * 1000, kw(e.type), e.process, kw(JEPSEN_F[op.input.op] ?? op.input.op)];
  if (model === 'kv') {
    keys.push(kw('key'));
    values.push(op.input.key ?? null);
  }
  keys.push(kw('value'));
  values.push(ednValue(e));
  return new EdnMap(keys, values);
}

// What :value holds: a read's invoke nil and its :ok the value seen; a cas [from to]; a write or append its value.
function ednValue(e: EdnEvent): EdnValue {
  const { input, output } = e.op;
  if (input.op === 'get') return e.type === 'ok' ? fromPlain(output?.value ?? null) : null;
  if (input.op === 'cas') return [fromPlain(input.expected ?? null), fromPlain(input.value ?? null)];
  return fromPlain(input.value ?? null);
}

function kw(name: string): Keyword {
  return new Keyword(name);
}
