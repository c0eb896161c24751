// Shrinking a failing run to a small one that fails the same check: fewer faults (delta debugging over
// fault windows — an opening entry with its closing one), shorter windows, a shorter fault phase (fewer
// client operations), fewer clients and fewer nodes where the scenario allows. The seed stays the same;
// every attempt is one deterministic run, and the number of attempts is bounded.

import type { FaultEntry } from '../sim/faults.js';
import { InputError } from '../sim/errors.js';
import { executeRun, prepareRun, type PreparedRun, type RunRequest, type RunResult } from '../sim/run.js';
import { replayFileOf, type ReplayFile } from './replay-file.js';

export interface ShrinkOptions {
  /** Bound on the runs tried (invalid candidates, such as one naming a removed node, cost nothing). */
  readonly maxAttempts: number;
  /** Called after every attempt, for progress output. */
  readonly onAttempt?: (attempt: number, accepted: boolean, size: ShrinkSize) => void;
}

export interface ShrinkSize {
  readonly faults: number;
  readonly operations: number;
  readonly nodes: number;
  readonly simulatedMicros: number;
}

export interface ShrinkResult {
  /** The check that had to keep failing. */
  readonly check: string;
  readonly attempts: number;
  readonly before: ShrinkSize;
  readonly after: ShrinkSize;
  /** The smallest failing run found, as a replay file. */
  readonly file: ReplayFile;
  readonly prepared: PreparedRun;
  readonly result: RunResult;
}

interface Candidate {
  readonly faults: readonly FaultEntry[];
  readonly durationMicros: number;
  readonly nodeCount: number;
  /** `--set` overrides, NAME=VALUE. */
  readonly set: readonly string[];
}

/** The check a shrink keeps failing: the first failed `always` check, else the first failed one. */
export function targetCheck(file: ReplayFile): string {
  const violated = file.expected.violated;
  if (violated.length === 0) throw new InputError('the replay file records no violated check: there is nothing to shrink (expected.violated is empty)');
  return (violated.find((c) => c.kind === 'always') ?? violated[0]!).name;
}

/** Shrinks the run a replay file describes. Throws InputError if it does not fail as recorded. */
export function shrink(file: ReplayFile, request: RunRequest, options: ShrinkOptions): ShrinkResult {
  const check = targetCheck(file);
  let attempts = 0;
  const cache = new Map<string, { prepared: PreparedRun; result: RunResult } | null>();

  /** Runs a candidate; returns the run if it still fails `check`, else null (invalid candidates: null, free). */
  const tryCandidate = (candidate: Candidate): { prepared: PreparedRun; result: RunResult } | null => {
    const key = JSON.stringify(candidate);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let prepared: PreparedRun;
    try {
      prepared = prepareRun({
        ...request,
        nodeCount: candidate.nodeCount,
        durationMicros: candidate.durationMicros,
        set: candidate.set,
        faults: { raw: JSON.parse(JSON.stringify(candidate.faults)), source: 'shrink candidate' },
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      cache.set(key, null);
      return null;
    }
    if (attempts >= options.maxAttempts) return null;
    attempts++;
    const result = executeRun(prepared);
    const fails = result.checks.some((c) => c.name === check && !c.ok);
    const outcome = fails ? { prepared, result } : null;
    cache.set(key, outcome);
    options.onAttempt?.(attempts, fails, sizeOf(prepared, result));
    return outcome;
  };

  const original: Candidate = {
    faults: file.faults,
    durationMicros: request.durationMicros!,
    nodeCount: request.nodeCount!,
    set: request.set ?? [],
  };
  const first = tryCandidate(original);
  if (first === null) {
    throw new InputError(`the run no longer fails check '${check}' (scenario ${file.scenario}, seed ${file.seed}): replay it to see what it does now`);
  }
  let best = original;
  let bestRun = first;
  const accept = (candidate: Candidate): boolean => {
    const run = tryCandidate(candidate);
    if (run === null) return false;
    best = candidate;
    bestRun = run;
    return true;
  };
  const budgetLeft = () => attempts < options.maxAttempts;

  // Rounds of passes until none makes progress (or the budget runs out).
  for (let round = 0; round < 4 && budgetLeft(); round++) {
    const before = JSON.stringify(best);
    // A long schedule first loses everything after the failure; a short one goes straight to ddmin,
    // which finds smaller results when it is affordable.
    if (best.faults.length > 40) cutTail();
    shrinkFaults();
    dropSingleEntries();
    shortenWindows();
    shiftEarlier();
    shortenFaultPhase();
    fewerClients();
    fewerNodes();
    if (JSON.stringify(best) === before) break;
  }

  const file2 = { ...replayFileOf(bestRun.prepared, bestRun.result, file.faultline), nemesis: file.nemesis };
  return {
    check, attempts,
    before: sizeOf(first.prepared, first.result),
    after: sizeOf(bestRun.prepared, bestRun.result),
    file: file2,
    prepared: bestRun.prepared,
    result: bestRun.result,
  };

  /**
   * Ends the run early: nothing after the failure matters. First just after the violation (when the
   * check says when it happened), then a binary search for the shortest fault phase that still fails.
   */
  function cutTail(): void {
    const cutAt = (end: number) => accept({ ...best, durationMicros: end, faults: best.faults.filter((f) => f.at < end) });
    const seen = bestRun.result.checks.find((c) => c.name === check)?.atMicros;
    if (seen !== undefined && seen + 1_000 < best.durationMicros) cutAt(seen + 1_000);
    let low = 0;
    let high = best.durationMicros;
    for (let probes = 0; probes < 6 && budgetLeft() && high - low > 50_000; probes++) {
      const middle = Math.floor((low + high) / 2);
      if (cutAt(middle)) high = middle;
      else low = middle;
    }
  }

  /** Delta debugging (ddmin) over fault windows: remove ever smaller chunks while the check still fails. */
  function shrinkFaults(): void {
    if (best.faults.length === 0) return;
    if (accept({ ...best, faults: [] })) return;
    let units = faultWindows(best.faults);
    let chunks = 2;
    while (units.length >= 2 && budgetLeft()) {
      const size = Math.ceil(units.length / chunks);
      let reduced = false;
      for (let start = 0; start < units.length && budgetLeft(); start += size) {
        const kept = [...units.slice(0, start), ...units.slice(start + size)];
        if (accept({ ...best, faults: flatten(kept) })) {
          units = kept;
          chunks = Math.max(chunks - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (chunks >= units.length) break;
        chunks = Math.min(units.length, chunks * 2);
      }
    }
    // A lone unit: can it go too?
    if (units.length === 1 && budgetLeft()) accept({ ...best, faults: [] });
  }

  /** Removes lone entries, last first: a closing entry is often unneeded (recovery heals and restarts anyway). */
  function dropSingleEntries(): void {
    for (let i = best.faults.length - 1; i >= 0 && budgetLeft(); i--) {
      if (i >= best.faults.length) continue;
      accept({ ...best, faults: best.faults.filter((_, j) => j !== i) });
    }
  }

  /** Moves the whole schedule (and the end of the fault phase) earlier: fewer operations before the failure. */
  function shiftEarlier(): void {
    for (let tries = 0; tries < 4 && budgetLeft() && best.faults.length > 0; tries++) {
      const first = best.faults.reduce((min, f) => Math.min(min, f.at), Number.MAX_SAFE_INTEGER);
      const delta = Math.floor(first / 2);
      if (delta < 50_000) break;
      const faults = best.faults.map((f) => ({ ...f, at: f.at - delta }) as FaultEntry);
      if (!accept({ ...best, faults, durationMicros: best.durationMicros - delta })) break;
    }
  }

  /** Moves each window's closing entry toward its opening one (halving the window while it still fails). */
  function shortenWindows(): void {
    const windows = faultWindows(best.faults);
    for (let w = 0; w < windows.length && budgetLeft(); w++) {
      for (let tries = 0; tries < 3 && budgetLeft(); tries++) {
        const current = faultWindows(best.faults)[w];
        if (current === undefined || current.length < 2) break;
        const [open, close] = [current[0]!, current[current.length - 1]!];
        const span = close.at - open.at;
        if (span < 2_000) break;
        const moved = { ...close, at: open.at + Math.floor(span / 2) } as FaultEntry;
        const faults = best.faults.map((f) => (f === close ? moved : f));
        if (!accept({ ...best, faults: sortByTime(faults) })) break;
      }
    }
  }

  /** A shorter fault phase means fewer client operations: halve toward the last fault while it fails. */
  function shortenFaultPhase(): void {
    const lastFault = best.faults.reduce((max, f) => Math.max(max, f.at), 0);
    for (let tries = 0; tries < 5 && budgetLeft(); tries++) {
      const floor = lastFault + 1_000;
      const next = Math.max(floor, Math.floor((floor + best.durationMicros) / 2));
      if (best.durationMicros - next < 10_000) break;
      if (!accept({ ...best, durationMicros: next })) break;
    }
  }

  /** Fewer clients, where the scenario has a `clients` parameter. */
  function fewerClients(): void {
    const spec = request.scenario.params.find((p) => p.name === 'clients');
    if (spec === undefined) return;
    const current = Number(best.set.find((s) => s.startsWith('clients='))?.slice('clients='.length) ?? bestRun.prepared.params.clients);
    for (const clients of [1, 2, Math.ceil(current / 2)]) {
      if (clients >= current || clients < (spec.min ?? 0) || !budgetLeft()) continue;
      if (accept({ ...best, set: [...best.set.filter((s) => !s.startsWith('clients=')), `clients=${clients}`] })) return;
    }
  }

  /** Fewer nodes, down to the scenario's minimum (candidates naming a removed node are skipped for free). */
  function fewerNodes(): void {
    for (let nodes = request.scenario.minNodes; nodes < best.nodeCount && budgetLeft(); nodes++) {
      if (nodes < 3) continue; // a one- or two-node "cluster" teaches little about fault tolerance
      if (accept({ ...best, nodeCount: nodes })) return;
    }
  }
}

function sizeOf(prepared: PreparedRun, result: RunResult): ShrinkSize {
  return {
    faults: prepared.faults.length,
    operations: result.history.ok + result.history.fail + result.history.open,
    nodes: prepared.nodeCount,
    simulatedMicros: result.stats.simulatedMicros,
  };
}

function sortByTime(faults: readonly FaultEntry[]): FaultEntry[] {
  return faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i).map(({ f }) => f);
}

function flatten(units: readonly (readonly FaultEntry[])[]): FaultEntry[] {
  return sortByTime(units.flat());
}

/**
 * Groups a schedule into windows: an opening entry with the later entry that undoes it (crash →
 * restart, pause → resume, partition → heal, clog → unclog, loss/duplicate → ratio 0, delay → the next
 * delay on the same links, clock-drift → ppm 0, slow → factor 1, fail-fast → ratio 0). Entries that close
 * nothing stand alone.
 */
export function faultWindows(faults: readonly FaultEntry[]): FaultEntry[][] {
  const used = new Set<number>();
  const windows: FaultEntry[][] = [];
  faults.forEach((entry, i) => {
    if (used.has(i)) return;
    used.add(i);
    const window = [entry];
    const closer = faults.findIndex((other, j) => j > i && !used.has(j) && closes(entry, other));
    if (closer >= 0) {
      used.add(closer);
      window.push(faults[closer]!);
    }
    windows.push(window);
  });
  return windows;
}

function closes(open: FaultEntry, other: FaultEntry): boolean {
  const sameLinks = (a: FaultEntry, b: FaultEntry) =>
    JSON.stringify([(a as { from?: unknown }).from ?? null, (a as { to?: unknown }).to ?? null]) ===
    JSON.stringify([(b as { from?: unknown }).from ?? null, (b as { to?: unknown }).to ?? null]);
  const sameNode = (a: { node: string; as?: string }, b: { node: string }) => b.node === a.node || (a.as !== undefined && b.node === `$${a.as}`);
  switch (open.kind) {
    case 'crash': return other.kind === 'restart' && sameNode(open, other);
    case 'pause': return other.kind === 'resume' && sameNode(open, other);
    case 'partition': return other.kind === 'heal';
    case 'clog': return other.kind === 'unclog' && sameLinks(open, other);
    case 'loss': case 'duplicate': return other.kind === open.kind && other.ratio === 0 && open.ratio > 0 && sameLinks(open, other);
    case 'delay': return other.kind === 'delay' && sameLinks(open, other);
    case 'clock-drift': return other.kind === 'clock-drift' && other.ppm === 0 && open.ppm !== 0 && sameNode(open, other);
    case 'slow': return other.kind === 'slow' && other.factor === 1 && open.factor !== 1 && sameNode(open, other);
    case 'fail-fast': return other.kind === 'fail-fast' && other.ratio === 0 && open.ratio !== 0 && sameNode(open, other);
    default: return false;
  }
}
