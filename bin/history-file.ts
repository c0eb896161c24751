// `--history FILE.edn|.json` on run and replay: the target and its format are checked before the run
// (the extension picks the format; anything else is one line, exit 2), then the run's client history is
// written atomically (lab/output-path.ts): the whole file or nothing.

import { checkOutputFile, writeOutputFile, type OutputTarget } from '../lab/output-path.js';
import { checkHistoryModel, fromOperations, historyFormatOf, historyModelOf, historyText, type HistoryFormat } from '../sim/check/history-out.js';
import type { ModelName } from '../sim/check/models.js';
import type { PreparedRun, RunResult } from '../sim/run.js';

export interface HistoryTarget {
  readonly target: OutputTarget;
  readonly format: HistoryFormat;
}

/** Checks `--history`'s file name (its extension) and target; creates nothing. */
export function checkHistoryFile(given: string): HistoryTarget {
  const format = historyFormatOf('--history', given);
  return { target: checkOutputFile('--history', given), format };
}

/** The model the prepared run's history is written for; InputError when the scenario has none, or EDN cannot carry it. */
export function historyModelFor(history: HistoryTarget, prepared: PreparedRun): ModelName {
  const model = historyModelOf(prepared.setup.checkers, prepared.scenario.name, '--history');
  checkHistoryModel(history.format, model, '--history');
  return model;
}

/** Writes the run's client history (initial value null: the model's default, as the run's checker starts). */
export function writeHistoryFile(history: HistoryTarget, model: ModelName, result: RunResult): number {
  const text = historyText(history.format, fromOperations(result.simulator.history.operations), model, null);
  return writeOutputFile(history.target, text, { announce: true });
}
