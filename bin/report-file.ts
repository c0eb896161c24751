// `--report FILE.html`: runs with the whole trace collected, then writes the self-contained HTML report
// atomically (or to standard output for `--report -`). Without a report it is a plain run (no trace is
// materialised).

import { collectTrace, renderHtmlReport } from '../reports/html.js';
import type { PreparedRun, RunResult } from '../sim/run.js';
import type { TraceSink } from '../sim/trace.js';
import { writeOutputFile, type OutputTarget } from '../lab/output-path.js';

export function runWithReport(
  prepared: PreparedRun,
  report: OutputTarget | undefined,
  execute: (prepared: PreparedRun, sink: TraceSink | undefined) => RunResult,
  next?: TraceSink,
  replay?: string,
): RunResult {
  if (report === undefined) return execute(prepared, next);
  const trace = collectTrace(next);
  const result = execute(prepared, trace.sink);
  writeOutputFile(report, renderHtmlReport({ prepared, result, trace: trace.events, ...(replay !== undefined ? { replay } : {}) }), { announce: true });
  return result;
}
