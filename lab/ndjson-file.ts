// Streams trace events to an NDJSON file without leaving a half-written one behind: events go to a
// temporary file beside the target, renamed into place only when the run finished (abort removes it).

import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { InputError } from '../sim/errors.js';

/** Flush to disk once this many characters are buffered. */
const BUFFER_CHARS_MAX = 1 << 16;

export class NdjsonFile {
  private buffer = '';
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly temporaryPath: string,
    private readonly fd: number,
  ) {}

  /** `flag` names the option the path came from, for the error message. */
  static open(path: string, flag = '--trace'): NdjsonFile {
    const temporaryPath = `${path}.tmp-${process.pid}`;
    try {
      return new NdjsonFile(path, temporaryPath, openSync(temporaryPath, 'w'));
    } catch (error) {
      throw new InputError(`${flag} ${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  write(record: unknown): void {
    this.buffer += JSON.stringify(record) + '\n';
    if (this.buffer.length >= BUFFER_CHARS_MAX) this.flush();
  }

  /** Finishes the file and moves it into place. */
  commit(): void {
    this.flush();
    this.close();
    renameSync(this.temporaryPath, this.path);
  }

  /** Discards everything written. */
  abort(): void {
    this.close();
    try {
      unlinkSync(this.temporaryPath);
    } catch {
      // Already gone: nothing to clean.
    }
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
