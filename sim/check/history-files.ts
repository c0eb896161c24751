// Reading histories for `faultline check`: faultline's JSON format and Jepsen's EDN format (read by
// jepsen-history.ts). Both become HistoryOps; malformed input is an InputError naming the line or operation.
// EDN pairs an :invoke with the same process's next :ok, :fail or :info; :fail means it did not happen.
// A JSON history may name its initial value (top-level "initial"); EDN has no place for one.
// JSON: {"model": NAME, "initial"?: VALUE, "operations": [{"client", "call", "return" (null: open),
// "input": {"op", "key"?, "value"?, "expected"?}, "output": {"value"?, "ok"?} | null}]}, with each model's
// op names (sim/check/models.ts): register and kv get/put/append/cas (read, write), cas-register
// get/put/cas, mutex acquire/release, counter add/read, set add/read (read-all), fifo-queue enqueue/dequeue.

import { InputError } from '../errors.js';
import { describeIgnored, pairJepsenOperations, plainOf, readJepsenHistory, refuseTransactional, type IgnoredEvents, type JepsenEvent, type JepsenOperation } from './jepsen-history.js';
import type { HistoryOp, ModelName, OpName } from './linearizability.js';
import { isModelName, MODEL_NAMES, modelNamed, describeOperationNames } from './models.js';

export interface ParsedHistory {
  readonly model: ModelName;
  readonly operations: HistoryOp[];
  /** The file's top-level "initial" (JSON only), when it has one; absent means the file says nothing. */
  readonly initial?: unknown;
  /** EDN only, when there were any: events of non-client processes (the nemesis …), skipped. */
  readonly ignored?: IgnoredEvents;
}

const OP_ALIASES: Readonly<Record<string, OpName>> = {
  get: 'get', read: 'get', put: 'put', write: 'put', append: 'append', cas: 'cas',
};

/** Parses a history file's text; `where` names it in errors. `model` overrides the file's own. */
export function parseHistoryText(text: string, where: string, model?: ModelName): ParsedHistory {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !/^\{\s*:/.test(trimmed)) return parseJsonHistory(text, where, model);
  return parseEdnHistory(text, where, model);
}

// ---- initial values -------------------------------------------------------------------------------

/**
 * Reads `--initial`'s text as a JSON value. Not JSON is an InputError naming the text; a bare word is
 * usually a string without its quotes (the shell ate them), so the message shows how to quote one.
 */
export function parseInitialFlag(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const shown = text.trim() === '' ? `'${text.replace(/\s/g, ' ')}'` : text.replace(/\s+/g, ' ');
    const example = /^[\w.-]*$/.test(text) ? JSON.stringify(text) : '""';
    throw new InputError(`--initial ${shown}: not a JSON value (a string needs JSON quotes, e.g. --initial '${example}')`);
  }
}

/**
 * Refuses an initial value the model cannot take unambiguously (for kv, an object: it would read as a map
 * from keys to values, which is not supported: one value starts every key). `where` names its source.
 */
export function checkInitialValue(value: unknown, model: ModelName, where: string): void {
  const problem = modelNamed(model).initialProblem?.(value);
  if (problem === undefined) return;
  const text = JSON.stringify(value) ?? String(value);
  throw new InputError(`${where} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}: ${problem}`);
}

// ---- JSON -----------------------------------------------------------------------------------------

function parseJsonHistory(text: string, where: string, model?: ModelName): ParsedHistory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const doc = raw as { model?: unknown; operations?: unknown; initial?: unknown };
  const chosen = model ?? doc.model;
  if (!isModelName(chosen)) {
    const others = MODEL_NAMES.filter((name) => name !== 'kv' && name !== 'register').map((name) => JSON.stringify(name)).join(', ');
    throw new InputError(`${where}: "model" must be "kv" or "register" or another built-in model (${others}), or pass --model; got ${JSON.stringify(doc.model)}`);
  }
  if (!Array.isArray(doc.operations)) throw new InputError(`${where}: expected an "operations" array`);
  const hasInitial = raw !== null && typeof raw === 'object' && 'initial' in raw;
  if (hasInitial) checkInitialValue(doc.initial, chosen, `${where}: "initial"`);
  const operations = doc.operations.map((item, index) => jsonOperation(item, index, `${where}: operation #${index + 1}`, chosen));
  return { model: chosen, operations, ...(hasInitial ? { initial: doc.initial } : {}) };
}

function jsonOperation(item: unknown, index: number, here: string, model: ModelName): HistoryOp {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new InputError(`${here}: expected an object`);
  const o = item as Record<string, unknown>;
  const client = o.client;
  if (typeof client !== 'string' && typeof client !== 'number') throw new InputError(`${here}: "client" must be a string or number`);
  if (typeof o.call !== 'number' || !Number.isFinite(o.call)) throw new InputError(`${here}: "call" must be a number (a time)`);
  const ret = o.return;
  if (ret !== null && ret !== undefined && (typeof ret !== 'number' || !Number.isFinite(ret))) throw new InputError(`${here}: "return" must be a number or null`);
  if (typeof ret === 'number' && ret < o.call) throw new InputError(`${here}: "return" (${ret}) is before "call" (${o.call})`);
  const input = o.input as Record<string, unknown> | undefined;
  if (input === null || typeof input !== 'object') throw new InputError(`${here}: "input" must be an object like {"op": "put", "key": "x", "value": 1}`);
  const stepper = modelNamed(model);
  const op = typeof input.op === 'string' && Object.hasOwn(stepper.operations, input.op) ? (stepper.operations[input.op] as OpName) : undefined;
  if (op === undefined) throw new InputError(`${here}: input.op must be one of ${describeOperationNames(stepper)}${model === 'register' || model === 'kv' ? '' : ` (${model})`}; got ${JSON.stringify(input.op)}`);
  const key = typeof input.key === 'number' ? String(input.key) : input.key;
  const problem = stepper.inputProblem?.({ op, ...(key !== undefined ? { key: key as string } : {}), ...('value' in input ? { value: input.value } : {}), ...('expected' in input ? { expected: input.expected } : {}) });
  if (problem !== undefined) throw new InputError(`${here}: ${problem}`);
  const output = o.output;
  if (output !== null && output !== undefined && (typeof output !== 'object' || Array.isArray(output))) throw new InputError(`${here}: "output" must be an object or null`);
  const unknownOutcome = ret === null || ret === undefined || output === null || output === undefined;
  const out = output as { value?: unknown; ok?: unknown } | null | undefined;
  if (!unknownOutcome && out!.ok !== undefined && typeof out!.ok !== 'boolean') throw new InputError(`${here}: output.ok must be true or false`);
  return {
    id: index,
    client: String(client),
    call: o.call,
    return: unknownOutcome ? null : (ret as number),
    input: {
      op,
      ...(input.key !== undefined ? { key: String(input.key) } : {}),
      ...(input.value !== undefined ? { value: input.value } : {}),
      ...('expected' in input ? { expected: input.expected ?? null } : {}),
    },
    output: unknownOutcome ? null : { ...(out!.value !== undefined ? { value: out!.value } : {}), ...(out!.ok !== undefined ? { ok: out!.ok as boolean } : {}) },
  };
}

// ---- EDN (Jepsen) ---------------------------------------------------------------------------------

/**
 * Jepsen's :f as faultline's operations: register `:read`/`:write`/`:cas [from to]`, kv `:get`/`:put`/
 * `:append`/`:cas` with a `:key`, or Jepsen's independent keys (`:value [key value]`). An operation's
 * call and return are its events' positions in the file: the history's order, as Knossos takes it
 * (:time stays on jepsen-history's events). A mutex, counter, set or FIFO queue takes its model's own :f
 * names (`objectOperation`; `--model` names the model, since EDN does not).
 */
function parseEdnHistory(text: string, where: string, model?: ModelName): ParsedHistory {
  const history = readJepsenHistory(text, where);
  refuseTransactional(history, where);
  if (history.events.length === 0) {
    const only = history.ignored.events > 0 ? `; ${describeIgnored(history.ignored)} and found no client process (an integer :process)` : '';
    throw new InputError(`${where}: no operations found (expected JSON with "operations", or EDN op maps, one per line or in one vector)${only}`);
  }
  const pairs = pairJepsenOperations(history, where);
  const keyed = history.events.some((e) => e.raw.get('key') !== undefined);
  const chosen: ModelName = model ?? (keyed || looksIndependent(pairs) ? 'kv' : 'register');
  const independent = chosen === 'kv' && !keyed;
  const operations: HistoryOp[] = [];
  for (const pair of pairs) {
    const op = ednOperation(pair, operations.length, chosen, independent, where);
    if (op) operations.push(op);
  }
  return { model: chosen, operations, ...(history.ignored.events > 0 ? { ignored: history.ignored } : {}) };
}

// Jepsen's independent keys: every :value a [key value] pair, reads included ([k nil] when invoked).
function looksIndependent(pairs: readonly JepsenOperation[]): boolean {
  const isPair = (v: unknown) => Array.isArray(v) && v.length === 2;
  return pairs.some((p) => OP_ALIASES[p.f] === 'get') && pairs.every((p) => isPair(p.invoke.value));
}

function keyText(key: unknown): string {
  return typeof key === 'string' ? key : typeof key === 'number' ? String(key) : JSON.stringify(key);
}

// The [key value] of an independent-key event; the completion's key must be its :invoke's.
function splitIndependent(event: JepsenEvent, where: string, key?: string): [string, unknown] {
  const v = event.value;
  if (!Array.isArray(v) || v.length !== 2) throw new InputError(`${where}: ${event.where}: with independent keys, :value must be [key value]; got ${JSON.stringify(v)}`);
  if (v[0] === null || v[0] === undefined) throw new InputError(`${where}: ${event.where}: the key of :value [key value] is nil`);
  const text = keyText(v[0]);
  if (key !== undefined && text !== key) throw new InputError(`${where}: ${event.where}: key ${JSON.stringify(v[0])} differs from its :invoke's key ${JSON.stringify(key)}`);
  return [text, v[1]];
}

/** Models whose Jepsen ops are a bare `:f` with an optional `:value` (no key, no [from to]). */
const OBJECT_MODELS: ReadonlySet<ModelName> = new Set<ModelName>(['mutex', 'counter', 'set', 'fifo-queue']);

/**
 * A mutex, counter, set or queue op: `:f` through the model's own names (`:acquire`/`:release`, `:add`/`:read`,
 * `:enqueue`/`:dequeue` and their aliases). The invoke's :value is the input (what is added or enqueued); the
 * :ok's :value is what a read or dequeue saw (a set read's `#{…}` becomes a sorted array).
 */
function objectOperation(pair: JepsenOperation, id: number, model: ModelName, where: string): HistoryOp | undefined {
  const { invoke, completion } = pair;
  const operations = modelNamed(model).operations;
  const op = Object.hasOwn(operations, pair.f) ? (operations[pair.f] as OpName) : undefined;
  if (op === undefined) throw new InputError(`${where}: ${invoke.where}: :f :${pair.f} is not a ${model} operation (${describeOperationNames(modelNamed(model))})`);
  if (pair.outcome === 'fail') return undefined; // it did not happen
  const known = pair.outcome === 'ok';
  const observes = op === 'read' || op === 'dequeue';
  const input: HistoryOp['input'] = observes || invoke.value === null || invoke.value === undefined ? { op } : { op, value: invoke.value };
  const output: HistoryOp['output'] = !known ? null : observes ? { value: completion!.value } : {};
  return { id, client: String(pair.process), call: invoke.position, return: known ? completion!.position : null, input, output };
}

function ednOperation(pair: JepsenOperation, id: number, model: ModelName, independent: boolean, where: string): HistoryOp | undefined {
  if (OBJECT_MODELS.has(model)) return objectOperation(pair, id, model, where);
  const { invoke, completion } = pair;
  const op = OP_ALIASES[pair.f];
  if (op === undefined) throw new InputError(`${where}: ${invoke.where}: :f :${pair.f} is not one of :read :write :cas (register) or :get :put :append :cas (kv)`);
  if (pair.outcome === 'fail') return undefined; // it did not happen
  const known = pair.outcome === 'ok';
  let key: string | undefined;
  let value = invoke.value;
  let result = known ? completion!.value : undefined;
  if (independent) {
    [key, value] = splitIndependent(invoke, where);
    if (known) result = splitIndependent(completion!, where, key)[1];
  } else if (model === 'kv') {
    const raw = invoke.raw.get('key');
    if (raw === undefined || raw === null) throw new InputError(`${where}: ${invoke.where}: a kv operation needs :key (or Jepsen's independent :value [key value])`);
    key = keyText(plainOf(raw, where, invoke.where, ':key'));
  }
  const keyed = key !== undefined ? { key } : {};
  let input: HistoryOp['input'];
  let output: HistoryOp['output'] = null;
  if (op === 'cas') {
    if (!Array.isArray(value) || value.length !== 2) throw new InputError(`${where}: ${invoke.where}: a :cas value must be [from to]; got ${JSON.stringify(value)}`);
    input = { op, ...keyed, expected: value[0], value: value[1] };
    if (known) output = { ok: true };
  } else if (op === 'get') {
    input = { op, ...keyed };
    if (known) output = { value: result };
  } else {
    input = { op, ...keyed, value };
    if (known) output = {};
  }
  return { id, client: String(pair.process), call: invoke.position, return: known ? completion!.position : null, input, output };
}
