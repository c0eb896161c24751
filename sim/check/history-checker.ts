// Linearizability of a run's client history, as a checker: at the end of the run the history is turned
// into HistoryOps (open operations keep a null return) and searched. A budget that runs out is reported
// as undecided, not as a violation.

import type { Checker, CheckVerdict } from '../check.js';
import type { Operation } from '../history.js';
import { formatMicros, type Micros } from '../time.js';
import { checkLinearizability, type HistoryOp } from './linearizability.js';
import { resolveModel, type Model, type ModelName } from './models.js';

/** The history as the checker reads it; operations that definitely failed are left out. */
export function toHistoryOps(operations: readonly Operation[]): HistoryOp[] {
  const out: HistoryOp[] = [];
  for (const op of operations) {
    if (op.status === 'fail') continue;
    const open = op.status === 'open';
    out.push({
      id: op.id,
      client: op.client,
      call: op.call,
      return: open ? null : op.return,
      input: op.input as HistoryOp['input'],
      output: open ? null : ((op.output ?? {}) as HistoryOp['output']),
    });
  }
  return out;
}

/** The run's client history, as HistoryOps, is linearizable for `model` (a built-in's name or a model object). */
export function linearizabilityChecker<S>(modelOrName: Model<S> | ModelName, stepsMax = 20_000_000): Checker {
  const model = resolveModel(modelOrName);
  let cached: { length: number; verdict: CheckVerdict } | undefined;
  return {
    name: 'linearizable-history',
    kind: 'always',
    description: `the client history is linearizable (${model.name} model)`,
    verdict(run) {
      const history = run.history;
      if (cached && cached.length === history.length && run.phase === 'recovery') return cached.verdict;
      const result = checkLinearizability(toHistoryOps(history), { model, stepsMax });
      const verdict: CheckVerdict =
        result.verdict === 'linearizable' ? { ok: true }
        : result.verdict === 'unknown' ? { ok: true, message: `undecided: the search budget of ${stepsMax} steps ran out` }
        : { ok: false, message: result.failure!.explanation, atMicros: certainAt(result.failure!.blocked) };
      cached = { length: history.length, verdict };
      return verdict;
    },
  };
}

/**
 * Where the violation shows in the run: the blocked operation (the one no order can place next) had
 * to take effect before it returned, so at its return; an open one has no return, so at its call.
 */
function certainAt(blocked: HistoryOp): Micros {
  return blocked.return ?? blocked.call;
}

/** eventually: every client operation has completed. */
export function clientOperationsComplete(): Checker {
  return {
    name: 'client-operations-complete',
    kind: 'eventually',
    description: 'after recovery, every client operation completes',
    verdict(run) {
      const open = run.history.filter((op) => op.status === 'open');
      if (open.length === 0) return { ok: true };
      return { ok: false, message: `${open.length} operations still open (first: #${open[0]!.id} by ${open[0]!.client}, called at ${formatMicros(open[0]!.call)})` };
    },
  };
}
