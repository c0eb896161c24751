// The replay file of a playground session: the format of lab/replay-file-data.ts with the session's whole
// schedule (drawn entries and the user's actions) as explicit faults, so that `faultline replay FILE`
// re-runs it to the session's fingerprint. Node-free; simulates the session to its end if it has not ended.

import { buildReplayFile, serializeReplayFile, type ReplayFile } from '../lab/replay-file-data.js';
import type { PlaygroundSession } from './session.js';

/** The session's replay file, as written by faultline `version`. */
export function sessionReplayFile(session: PlaygroundSession, version: string): ReplayFile {
  return buildReplayFile(session.prepared, session.runToEnd(), version);
}

/** The file's text, as `faultline replay` reads it. */
export function sessionReplayText(session: PlaygroundSession, version: string): string {
  return serializeReplayFile(sessionReplayFile(session, version));
}
