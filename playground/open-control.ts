// The playground's "Open replay file or report" control: a file input, and a file dropped anywhere on the
// page, read as text and opened by playground/open-file.ts; then a status line naming what was opened and,
// once the page has simulated the run to its end, whether its fingerprint is the file's. Browser DOM code:
// it assumes a document, and leaves loading the session to the page (a callback).

import { fingerprintLine, openedLine, sessionConfigOf, tryOpenRunText, OPEN_TEXT_CHARS_MAX, type OpenedRun } from './open-file.js';
import type { PlaygroundSession, SessionConfig } from './session.js';

/** Largest file read (bytes); a UTF-8 file's characters are never more than its bytes. */
export const OPEN_FILE_BYTES_MAX = OPEN_TEXT_CHARS_MAX;

export interface OpenControlOptions {
  /** The page's faultline version (PlaygroundConfig.version), named when a fingerprint differs from the file's. */
  readonly version: string;
  /** Where a dropped file is taken from (the page's body). */
  readonly dropTarget: HTMLElement;
  /** Loads a session with `config`; return false when the page refused it (it has said why). */
  readonly onOpen: (config: SessionConfig, opened: OpenedRun) => boolean | void;
  /** Shows a problem: one line naming what is wrong with the file. */
  readonly onProblem: (problem: string) => void;
}

export interface OpenControl {
  /** The labelled file input, for the page's header. */
  readonly element: HTMLElement;
  /** The status line (`opened FILE: expected fingerprint X`, then whether the page's matches), for beside the run. */
  readonly status: HTMLElement;
  /** Opens a run already checked (the command's `--replay FILE`, given in the page's config). */
  open(opened: OpenedRun): boolean;
  /** Opens a file's text, as picking or dropping the file does. */
  openText(text: string, name: string): boolean;
  /**
   * Call after each draw with the session shown: once the opened run has ended, the status says whether
   * its fingerprint is the file's; another session loaded since (no longer the file's schedule) clears it.
   */
  update(session: Pick<PlaygroundSession, 'config' | 'actions' | 'result'>): void;
}

/** Builds the control (not yet in the document: place `element` and `status`) and listens for dropped files. */
export function buildOpenControl(options: OpenControlOptions): OpenControl {
  const input = document.createElement('input');
  Object.assign(input, { type: 'file', id: 'open-file', accept: '.json,.html,.htm,application/json,text/html' });
  const element = document.createElement('label');
  element.id = 'open-run';
  element.append('Open replay file or report ', input);
  element.title = 'a replay file (run --save, sweep --out, shrink, this page\'s download) or an HTML run report; or drop one on the page';
  const status = document.createElement('div');
  status.id = 'open-status';
  status.setAttribute('role', 'status');
  status.hidden = true;

  let opened: { readonly run: OpenedRun; readonly config: SessionConfig } | null = null;
  /** Bumped by every file read started: a read that finishes after a later one began is dropped. */
  let readCount = 0;

  const show = (text: string) => {
    status.hidden = text === '';
    if (status.textContent !== text) status.textContent = text;
  };

  const open = (run: OpenedRun): boolean => {
    let config: SessionConfig;
    try {
      config = sessionConfigOf(run);
    } catch (error) {
      options.onProblem((error as Error).message);
      return false;
    }
    if (options.onOpen(config, run) === false) return false;
    opened = { run, config };
    show(openedLine(run));
    return true;
  };

  const openText = (text: string, name: string): boolean => {
    const result = tryOpenRunText(text, name);
    if (!result.ok) {
      options.onProblem(result.problem);
      return false;
    }
    return open(result.opened);
  };

  const readFile = (file: File) => {
    if (file.size > OPEN_FILE_BYTES_MAX) {
      options.onProblem(`${file.name}: ${file.size} bytes, more than the ${OPEN_FILE_BYTES_MAX} a file to open may hold`);
      return;
    }
    const read = ++readCount;
    file.text().then(
      (text) => { if (read === readCount) openText(text, file.name); },
      (error: unknown) => { if (read === readCount) options.onProblem(`${file.name}: cannot read the file (${(error as Error).message})`); },
    );
  };

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file !== undefined) readFile(file);
    // The same file can be opened again (after editing it, or to start over).
    input.value = '';
  });

  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;
  options.dropTarget.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    options.dropTarget.setAttribute('data-dropping', '');
  });
  options.dropTarget.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null || !options.dropTarget.contains(event.relatedTarget as Node)) options.dropTarget.removeAttribute('data-dropping');
  });
  options.dropTarget.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    options.dropTarget.removeAttribute('data-dropping');
    const files = event.dataTransfer!.files;
    if (files.length !== 1) {
      options.onProblem(`drop one file (a replay file or an HTML run report); got ${files.length}`);
      return;
    }
    readFile(files[0]!);
  });

  const update = (session: Pick<PlaygroundSession, 'config' | 'actions' | 'result'>) => {
    if (opened === null) return;
    // Planting a bug keeps the schedule (the same array); loading another scenario or lesson does not.
    if (session.config.schedule !== opened.config.schedule) {
      opened = null;
      show('');
      return;
    }
    const changed = [
      ...(session.actions.length > 0 ? [`${session.actions.length} action${session.actions.length === 1 ? '' : 's'} of yours`] : []),
      ...((session.config.bug ?? null) !== opened.run.bug ? [`planted bug ${session.config.bug ?? 'none'}`] : []),
    ];
    if (changed.length > 0) {
      show(`${openedLine(opened.run)}; this run differs from the file (${changed.join(', ')}), so its fingerprint is a new run's`);
    } else if (session.result !== undefined) {
      show(`${openedLine(opened.run)}. ${fingerprintLine(opened.run, session.result, options.version)}`);
    } else {
      show(openedLine(opened.run));
    }
  };

  return { element, status, open, openText, update };
}
