// `--report FILE.html`: runs with the whole trace collected, then writes the self-contained HTML report
// atomically. Without a report path it is a plain run (no trace is materialised).

import { collectTrace, renderHtmlReport } from '../reports/html.js';
import type { PreparedRun, RunResult } from '../sim/run.js';
import type { TraceSink } from '../sim/trace.js';
import { writeFileAtomically } from '../lab/atomic-file.js';

export function runWithReport(
  prepared: PreparedRun,
  reportPath: string | undefined,
  execute: (prepared: PreparedRun, sink: TraceSink | undefined) => RunResult,
  next?: TraceSink,
  replay?: string,
): RunResult {
  if (reportPath === undefined) return execute(prepared, next);
  const trace = collectTrace(next);
  const result = execute(prepared, trace.sink);
  writeFileAtomically(reportPath, renderHtmlReport({ prepared, result, trace: trace.events, ...(replay !== undefined ? { replay } : {}) }));
  return result;
}
