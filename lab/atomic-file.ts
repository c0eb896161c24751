// Writes a whole file or nothing: the text goes to a temporary file beside the target, renamed into
// place once complete, so an interrupted command never leaves a half-written report or replay file.

import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { InputError } from '../sim/errors.js';

export function writeFileAtomically(path: string, text: string): void {
  const temporaryPath = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporaryPath, text);
    renameSync(temporaryPath, path);
  } catch (error) {
    try {
      unlinkSync(temporaryPath);
    } catch {
      // nothing was created
    }
    throw new InputError(`${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
