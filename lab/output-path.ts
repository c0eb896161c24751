// Output targets: every file faultline writes is checked here before any work starts, and written here.
// A target must be a regular file or not exist yet, in an existing writable directory; a symlink is
// followed, and the file it points to is replaced atomically (temporary file + rename) in its own
// directory, so the link stays a link. Assumes POSIX rename semantics; `-` is standard output where a
// verb allows it. Nothing here runs on the engine's hot path.

import {
  accessSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync,
  statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import prettyBytes from 'pretty-bytes';
import { InputError } from '../sim/errors.js';

/** The name that means standard output, where a flag allows it. */
export const STDOUT_NAME = '-';

/** Symlinks followed from one target before it counts as a loop (Linux's own limit is 40). */
const SYMLINK_HOPS_MAX = 40;

/** Missing directory levels that `--out` may create at once (a bound on the walk, not a real limit). */
const DIRECTORY_LEVELS_MAX = 32;

/** A checked output: either standard output, or the real regular file (existing or not) to replace. */
export interface OutputTarget {
  /** The flag it came from, for messages: `--save`, `--report`, `--out`. */
  readonly flag: string;
  /** The path as the user gave it. */
  readonly given: string;
  /** True for `-`: the text goes to standard output. */
  readonly toStdout: boolean;
  /** The absolute path of the file to replace, with symlinks followed ('' for standard output). */
  readonly path: string;
  /** True if `given` is a symlink (the link is kept; `path` is the file it leads to). */
  readonly linked: boolean;
}

export interface OutputOptions {
  /** Whether `-` means standard output for this flag (otherwise it is refused). */
  readonly allowStdout?: boolean;
}

/** `--save x.json` in messages (just the path when no flag named it). */
function subject(flag: string, given: string): string {
  const shown = given === '' ? "''" : given;
  return flag === '' ? shown : `${flag} ${shown}`;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'error';
}

/** What a non-regular file is, in words ("a FIFO"); undefined for a regular file. */
function kindOf(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** The real path of directory `dir`, or a one-line reason why files cannot be created in it. */
function realDirectory(dir: string, shown = dir): string | { problem: string } {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { problem: `directory ${shown} does not exist` };
    if (code === 'ENOTDIR') return { problem: `${shown} is not a directory` };
    if (code === 'ELOOP') return { problem: `${shown} is a symlink loop` };
    return { problem: `cannot reach directory ${shown} (${code})` };
  }
  if (!statSync(real).isDirectory()) return { problem: `${shown} is not a directory` };
  try {
    accessSync(real, constants.W_OK | constants.X_OK);
  } catch {
    return { problem: `directory ${shown} is not writable` };
  }
  return real;
}

/**
 * Follows `path` through symlinks to the file that a write should replace: its directory's real path
 * joined with its name. A dangling symlink gives the path it points to (if that directory exists).
 */
function followToFile(path: string): { file: string; linked: boolean } | { problem: string } {
  let current = resolve(path);
  for (let hops = 0; hops <= SYMLINK_HOPS_MAX; hops++) {
    const dir = realDirectory(dirname(current), hops === 0 ? dirname(path) : dirname(current));
    if (typeof dir !== 'string') return hops === 0 ? dir : { problem: `a symlink to ${current}, but ${dir.problem}` };
    const file = join(dir, basename(current));
    const stats = lstatOrUndefined(file);
    if (stats === undefined || !stats.isSymbolicLink()) return { file, linked: hops > 0 };
    current = resolve(dir, readlinkSync(file));
  }
  return { problem: `a symlink loop (more than ${SYMLINK_HOPS_MAX} links)` };
}

/**
 * Checks an output target before any work starts: throws InputError (one line naming the flag and the
 * path) unless it is `-` where allowed, or names a regular file or nothing, through any symlinks, in
 * an existing writable directory. Creates nothing.
 */
export function checkOutputFile(flag: string, given: string, options: OutputOptions = {}): OutputTarget {
  const refuse = (problem: string): never => {
    throw new InputError(`${subject(flag, given)}: ${problem}`);
  };
  if (given === STDOUT_NAME) {
    if (options.allowStdout) return { flag, given, toStdout: true, path: '', linked: false };
    refuse(`standard output is not supported for ${flag}; name a file (./- for a file called '-')`);
  }
  if (given === '') refuse('expected a file name');
  if (given.endsWith('/')) refuse('names a directory (it ends with /); name a file');
  const followed = followToFile(given);
  if ('problem' in followed) return refuse(followed.problem);
  const { file: path, linked } = followed;
  const stats = lstatOrUndefined(path);
  const via = linked ? `links to ${path}, which ` : '';
  if (stats !== undefined) {
    const kind = kindOf(stats);
    if (kind !== undefined) refuse(`${via}is ${kind}, not a regular file; faultline writes only regular files`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      refuse(`${via}is not writable`);
    }
  }
  return { flag, given, toStdout: false, path, linked };
}

/** Throws InputError if two of the outputs of one command name the same file (or both say `-`). */
export function checkDistinctOutputs(targets: readonly (OutputTarget | undefined)[]): void {
  const seen: OutputTarget[] = [];
  for (const target of targets) {
    if (target === undefined) continue;
    const same = seen.find((other) => (target.toStdout ? other.toStdout : other.path === target.path));
    if (same !== undefined) {
      if (target.toStdout) throw new InputError(`${same.flag} - and ${target.flag} -: only one output can go to standard output`);
      throw new InputError(`${same.flag} ${same.given} and ${target.flag} ${target.given} name the same file; choose two names`);
    }
    seen.push(target);
  }
}

/** Throws InputError if an output goes to standard output while --json needs it for its one object. */
export function checkStdoutFree(targets: readonly (OutputTarget | undefined)[], json: boolean | undefined): void {
  if (!json) return;
  const taken = targets.find((t) => t?.toStdout);
  if (taken !== undefined) throw new InputError(`${taken.flag} -: standard output is taken by --json; name a file`);
}

/** True if any of the targets is standard output (the human summary then goes to stderr). */
export function anyToStdout(targets: readonly (OutputTarget | undefined)[]): boolean {
  return targets.some((t) => t?.toStdout);
}

/** `2.1 MB`, `845 B`, `12.3 kB`: decimal units, at most one decimal. */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes, { maximumFractionDigits: 1, locale: 'en-US' });
}

/** The line announcing a written file: `wrote fig8.html (2.1 MB)`, naming a symlink's target too. */
export function wroteLine(target: OutputTarget, bytes: number): string {
  const via = target.linked ? ` → ${target.path}` : '';
  return `wrote ${target.given}${via} (${formatBytes(bytes)})`;
}

/** Prints `wrote …` on stderr (never on stdout, which --json keeps for its one object). */
export function announceWritten(target: OutputTarget, bytes: number): void {
  if (!target.toStdout) process.stderr.write(wroteLine(target, bytes) + '\n');
}

/**
 * A temporary file beside `target.path`, opened for writing with O_EXCL (so a planted symlink is never
 * followed), with the mode of the file it will replace. The caller renames it into place.
 */
export function openTemporary(target: OutputTarget): { temporaryPath: string; fd: number } {
  // Checked again now: the run may have taken a while, and nothing that is not a regular file is replaced.
  const fresh = checkOutputFile(target.flag, target.given);
  if (fresh.path !== target.path) throw new InputError(`${subject(target.flag, target.given)}: now links to ${fresh.path}, not ${target.path}; not written`);
  const temporaryPath = `${target.path}.tmp-${process.pid}`;
  const open = () => openSync(temporaryPath, 'wx', 0o666);
  let fd: number;
  try {
    fd = open();
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw cannotWrite(target, error);
    try {
      unlinkSync(temporaryPath); // left by an earlier process with the same id
      fd = open();
    } catch (again) {
      throw cannotWrite(target, again);
    }
  }
  const existing = lstatOrUndefined(target.path);
  if (existing !== undefined) {
    try {
      fchmodSync(fd, existing.mode & 0o7777);
    } catch {
      // Keeping the old mode is a courtesy; the default mode is fine too.
    }
  }
  return { temporaryPath, fd };
}

/** The InputError for a write that failed part-way (no space, a vanished directory). */
export function cannotWrite(target: OutputTarget, error: unknown): InputError {
  return new InputError(`${subject(target.flag, target.given)}: cannot write there (${errorCode(error)})`);
}

/** Removes a temporary file if it is there. */
export function removeTemporary(temporaryPath: string): void {
  try {
    unlinkSync(temporaryPath);
  } catch {
    // nothing was created
  }
}

/**
 * Writes the whole text to the target or nothing: to standard output for `-`, else to a temporary file
 * in the real file's directory, renamed over it once complete. Returns the bytes written.
 */
export function writeOutputFile(target: OutputTarget, text: string, options: { announce?: boolean } = {}): number {
  const data = Buffer.from(text);
  if (target.toStdout) {
    process.stdout.write(data);
    return data.length;
  }
  const { temporaryPath, fd } = openTemporary(target);
  try {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset);
    closeSync(fd);
    renameSync(temporaryPath, target.path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    removeTemporary(temporaryPath);
    throw cannotWrite(target, error);
  }
  if (options.announce) announceWritten(target, data.length);
  return data.length;
}

/** A checked output directory: where it is, and the missing levels to create (outermost first). */
export interface OutputDirectory {
  readonly flag: string;
  readonly given: string;
  readonly path: string;
  readonly missing: readonly string[];
}

/**
 * Checks a directory to write into before any work starts: it must be a directory (through symlinks)
 * or not exist yet under a writable existing directory at most DIRECTORY_LEVELS_MAX levels up. Creates
 * nothing; `createOutputDirectory` does, one level at a time.
 */
/** A path for a message: relative to the working folder when it lies below it (as a user types it), else absolute. */
function asTyped(path: string): string {
  const below = relative(process.cwd(), path);
  return below !== '' && !below.startsWith('..') && !isAbsolute(below) ? below : path;
}

export function checkOutputDirectory(flag: string, given: string): OutputDirectory {
  const refuse = (problem: string): never => {
    throw new InputError(`${subject(flag, given)}: ${problem}`);
  };
  if (given === '') refuse('expected a directory name');
  if (given === STDOUT_NAME) refuse(`standard output is not supported for ${flag}; name a directory (./- for one called '-')`);
  const path = resolve(given);
  const missing: string[] = [];
  let current = path;
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statSync(current, { throwIfNoEntry: false });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOTDIR') refuse(`${asTyped(dirname(current))} is not a directory`);
      if (code === 'ELOOP') refuse(`${asTyped(current)} is a symlink loop`);
      refuse(`cannot reach ${asTyped(current)} (${code})`);
    }
    if (stats === undefined) {
      // A dangling symlink cannot be created through: mkdir would fail with EEXIST.
      if (lstatOrUndefined(current)?.isSymbolicLink()) refuse(`${asTyped(current)} is a dangling symlink`);
      missing.unshift(current);
      if (missing.length > DIRECTORY_LEVELS_MAX) refuse(`more than ${DIRECTORY_LEVELS_MAX} directory levels to create`);
      current = dirname(current);
      continue;
    }
    if (!stats.isDirectory()) {
      if (current === path) refuse(`is ${kindOf(stats) ?? 'a regular file'}, not a directory`);
      refuse(`${asTyped(current)} is not a directory`);
    }
    try {
      accessSync(current, constants.W_OK | constants.X_OK);
    } catch {
      refuse(current === path ? 'the directory is not writable' : `cannot create it: ${asTyped(current)} is not writable`);
    }
    return { flag, given, path, missing };
  }
}

/**
 * Creates the missing levels of a checked directory one at a time (no recursive mkdir: under /proc
 * that loops forever), then `inside` below it. Throws InputError naming the level that failed.
 */
export function createOutputDirectory(dir: OutputDirectory, inside: readonly string[] = []): void {
  const levels = [...dir.missing, ...inside.map((name) => join(dir.path, name))];
  for (const level of levels) {
    try {
      mkdirSync(level);
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && statSync(level, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw new InputError(`${subject(dir.flag, dir.given)}: cannot create directory ${asTyped(level)} (${errorCode(error)})`);
    }
  }
}
