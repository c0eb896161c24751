// Reading histories for `faultline check`: faultline's JSON format and Jepsen's EDN format (one map per
// line). Both become HistoryOps; malformed input is an InputError naming the line or operation.
// EDN pairs an :invoke with the same process's next :ok, :fail or :info; :fail means it did not happen.
// A JSON history may name its initial value (top-level "initial"); EDN has no place for one.
// JSON: {"model": NAME, "initial"?: VALUE, "operations": [{"client", "call", "return" (null: open),
// "input": {"op", "key"?, "value"?, "expected"?}, "output": {"value"?, "ok"?} | null}]}, with each model's
// op names (sim/check/models.ts): register and kv get/put/append/cas (read, write), cas-register
// get/put/cas, mutex acquire/release, counter add/read, set add/read (read-all), fifo-queue enqueue/dequeue.

import { InputError } from '../errors.js';
import type { HistoryOp, ModelName, OpName } from './linearizability.js';
import { isModelName, MODEL_NAMES, modelNamed, describeOperationNames } from './models.js';

export interface ParsedHistory {
  readonly model: ModelName;
  readonly operations: HistoryOp[];
  /** The file's top-level "initial" (JSON only), when it has one; absent means the file says nothing. */
  readonly initial?: unknown;
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

// ---- EDN ------------------------------------------------------------------------------------------

type Edn = null | boolean | number | string | { keyword: string } | Edn[] | Map<string, Edn>;

class EdnReader {
  private at = 0;

  constructor(private readonly text: string, private readonly where: string) {}

  read(): Edn {
    this.skip();
    const c = this.text[this.at];
    if (c === undefined) this.fail('unexpected end of line');
    if (c === '{') return this.map();
    if (c === '[' || c === '(') return this.vector(c === '[' ? ']' : ')');
    if (c === '"') return this.string();
    if (c === ':') return { keyword: this.symbol().slice(1) };
    const word = this.symbol();
    if (word === 'nil') return null;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?N?M?$/.test(word)) return Number(word.replace(/[NM]$/, ''));
    return this.fail(`cannot read '${word}'`);
  }

  atEnd(): boolean {
    this.skip();
    return this.at >= this.text.length;
  }

  private map(): Map<string, Edn> {
    this.at++;
    const out = new Map<string, Edn>();
    for (;;) {
      this.skip();
      if (this.text[this.at] === '}') {
        this.at++;
        return out;
      }
      const key = this.read();
      if (key === null || typeof key !== 'object' || !('keyword' in key)) this.fail('map keys must be keywords like :type');
      out.set((key as { keyword: string }).keyword, this.read());
    }
  }

  private vector(close: string): Edn[] {
    this.at++;
    const out: Edn[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.at] === close) {
        this.at++;
        return out;
      }
      out.push(this.read());
    }
  }

  private string(): string {
    let out = '';
    this.at++;
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.at++];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
      } else {
        out += c;
      }
    }
  }

  private symbol(): string {
    const match = /^[^\s,{}[\]()"]+/.exec(this.text.slice(this.at));
    if (!match) this.fail(`unexpected '${this.text[this.at]}'`);
    this.at += match![0].length;
    return match![0];
  }

  private skip(): void {
    while (this.at < this.text.length && /[\s,]/.test(this.text[this.at]!)) this.at++;
  }

  private fail(why: string): never {
    throw new InputError(`${this.where}: ${why} (at column ${this.at + 1})`);
  }
}

function keyword(value: Edn | undefined): string | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map) ? value.keyword : undefined;
}

function plain(value: Edn | undefined): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (value !== null && typeof value === 'object') return value.keyword;
  return value;
}

function parseEdnHistory(text: string, where: string, model?: ModelName): ParsedHistory {
  interface Event { line: number; process: string; type: string; f: string; value: Edn | undefined; key: Edn | undefined; time: number }
  const events: Event[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) return;
    const here = `${where}: line ${index + 1}`;
    const reader = new EdnReader(line, here);
    const value = reader.read();
    if (!reader.atEnd()) throw new InputError(`${here}: expected one map per line`);
    if (!(value instanceof Map)) throw new InputError(`${here}: expected a map like {:process 0, :type :invoke, :f :read, :value nil}`);
    const type = keyword(value.get('type'));
    if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') throw new InputError(`${here}: :type must be :invoke, :ok, :fail or :info`);
    const process = value.get('process');
    if (process === undefined || process === null) throw new InputError(`${here}: :process is missing`);
    const f = keyword(value.get('f'));
    if (f === undefined) throw new InputError(`${here}: :f must be a keyword such as :read`);
    const time = value.get('time');
    events.push({ line: index + 1, process: String(plain(process)), type, f, value: value.get('value'), key: value.get('key'), time: typeof time === 'number' ? time : events.length });
  });
  const usesKeys = events.some((e) => e.key !== undefined);
  const chosen: ModelName = model ?? (usesKeys ? 'kv' : 'register');

  const operations: HistoryOp[] = [];
  const open = new Map<string, { event: Event; index: number }>();
  const toOp = (invoke: Event, completion: Event | undefined, id: number): HistoryOp | undefined => {
    const here = `${where}: line ${invoke.line}`;
    const op = OP_ALIASES[invoke.f];
    if (op === undefined) throw new InputError(`${here}: :f :${invoke.f} is not one of :read :write :cas (register) or :get :put :append :cas (kv)`);
    if (completion?.type === 'fail') return undefined; // it did not happen
    const known = completion !== undefined && completion.type === 'ok';
    const key = chosen === 'kv' ? plain(invoke.key) : undefined;
    if (chosen === 'kv' && (key === null || key === undefined)) throw new InputError(`${here}: a kv operation needs :key`);
    let input: HistoryOp['input'];
    let output: HistoryOp['output'] = null;
    if (op === 'cas') {
      const pair = plain(invoke.value);
      if (!Array.isArray(pair) || pair.length !== 2) throw new InputError(`${here}: a :cas value must be [from to]`);
      input = { op, ...(key !== undefined ? { key: String(key) } : {}), expected: pair[0], value: pair[1] };
      if (known) output = { ok: true };
    } else if (op === 'get') {
      input = { op, ...(key !== undefined ? { key: String(key) } : {}) };
      if (known) output = { value: plain(completion!.value) };
    } else {
      input = { op, ...(key !== undefined ? { key: String(key) } : {}), value: plain(invoke.value) };
      if (known) output = {};
    }
    return { id, client: invoke.process, call: invoke.time, return: known ? completion!.time : null, input, output };
  };
  for (const event of events) {
    if (event.type === 'invoke') {
      if (open.has(event.process)) throw new InputError(`${where}: line ${event.line}: process ${event.process} invokes again before its line ${open.get(event.process)!.event.line} completed`);
      open.set(event.process, { event, index: operations.length });
      continue;
    }
    const started = open.get(event.process);
    if (!started) throw new InputError(`${where}: line ${event.line}: :${event.type} for process ${event.process}, which has no pending :invoke`);
    open.delete(event.process);
    const op = toOp(started.event, event, operations.length);
    if (op) operations.push(op);
  }
  for (const { event } of open.values()) {
    const op = toOp(event, undefined, operations.length);
    if (op) operations.push(op);
  }
  if (events.length === 0) throw new InputError(`${where}: no operations found (expected JSON with "operations", or EDN maps one per line)`);
  return { model: chosen, operations };
}
