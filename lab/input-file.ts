// Reading a file the user named (a fault schedule, a replay file, a history): any problem is one
// InputError naming the file and what went wrong, never a stack trace. Assumes UTF-8 text.

import { readFileSync } from 'node:fs';
import { InputError } from '../sim/errors.js';

/** The file's text; `label` (such as `--faults file.json`) names it in the message, default the path. */
export function readInputText(path: string, label = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${label}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The file parsed as JSON; an unreadable file is named by `label`, invalid JSON by its path. */
export function readInputJson(path: string, label = path): unknown {
  const text = readInputText(path, label);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}
