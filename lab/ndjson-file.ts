// Streams trace events as NDJSON without leaving a half-written file behind: events go to a temporary
// file beside the real target (symlinks followed), renamed into place only when the run finished
// (abort removes it). For `-` they go straight to standard output instead.

import { closeSync, renameSync, writeSync } from 'node:fs';
import { cannotWrite, checkOutputFile, openTemporary, removeTemporary, type OutputTarget } from './output-path.js';

/** Flush once this many characters are buffered. */
const BUFFER_CHARS_MAX = 1 << 16;

export class NdjsonFile {
  private buffer = '';
  private closed = false;
  private bytes = 0;

  private constructor(
    readonly target: OutputTarget,
    /** The temporary file and its descriptor; undefined when writing to standard output. */
    private readonly file: { temporaryPath: string; fd: number } | undefined,
  ) {}

  /** Opens a checked target (see lab/output-path.ts), or a path checked here under `flag`. */
  static open(target: OutputTarget | string, flag = '--trace'): NdjsonFile {
    const checked = typeof target === 'string' ? checkOutputFile(flag, target) : target;
    return new NdjsonFile(checked, checked.toStdout ? undefined : openTemporary(checked));
  }

  write(record: unknown): void {
    this.buffer += JSON.stringify(record) + '\n';
    if (this.buffer.length >= BUFFER_CHARS_MAX) this.flush();
  }

  /** Finishes the file and moves it into place; returns the bytes written. */
  commit(): number {
    this.flush();
    this.close();
    if (this.file !== undefined) {
      try {
        renameSync(this.file.temporaryPath, this.target.path);
      } catch (error) {
        removeTemporary(this.file.temporaryPath);
        throw cannotWrite(this.target, error);
      }
    }
    return this.bytes;
  }

  /** Discards everything written (to a file; what went to standard output is gone). */
  abort(): void {
    if (this.file === undefined) {
      this.flush();
      return;
    }
    this.close();
    removeTemporary(this.file.temporaryPath);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const data = Buffer.from(this.buffer);
    this.buffer = '';
    this.bytes += data.length;
    if (this.file === undefined) {
      // A reader that went away (EPIPE) is handled by bin/cli.ts: later output is dropped.
      process.stdout.write(data);
      return;
    }
    try {
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.file.fd, data, offset);
    } catch (error) {
      this.close();
      removeTemporary(this.file.temporaryPath);
      throw cannotWrite(this.target, error);
    }
  }

  private close(): void {
    if (this.closed || this.file === undefined) return;
    this.closed = true;
    closeSync(this.file.fd);
  }
}
