// Writes a whole file or nothing: the text goes to a temporary file beside the real target (symlinks
// followed), renamed into place once complete, so an interrupted command never leaves a half-written
// report or replay file. The checks and the write itself live in lab/output-path.ts.

import { checkOutputFile, writeOutputFile } from './output-path.js';

/**
 * Checks `path` (a regular file or nothing, in a writable directory) and writes `text` to it atomically.
 * Throws InputError naming `flag` (or just the path) if it cannot. Returns the bytes written.
 */
export function writeFileAtomically(path: string, text: string, flag = ''): number {
  return writeOutputFile(checkOutputFile(flag, path), text);
}
