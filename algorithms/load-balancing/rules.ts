// Rule checkers of the load balancers: each judges one rule of the protocol from the facts a balancer or a
// client reports about its own decisions (probe results, retries, routes), not from rates. Each rule is
// recomputed here from the facts alone, per life of the reporting node (a crash forgets everything: every
// backend is up again, no retry counted, smooth WRR's weights at zero), so it holds under any fault.
// Assumes a node's facts of one step arrive in the order it reported them (facts.ts says which come first).

import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { HealthCheckConfig, RetryConfig } from './config.js';
import type { LbFact } from './facts.js';
import { Fifo } from './queues.js';

/** Per life of a node: the state a checker keeps for it, rebuilt when the node's crash count changes. */
class Lives<S> {
  private readonly lives = new Map<NodeId, { crashes: number; state: S }>();
  constructor(private readonly fresh: () => S) {}

  of(node: NodeId, run: RunView): S {
    const crashes = run.crashCount(node);
    let life = this.lives.get(node);
    if (life === undefined || life.crashes !== crashes) {
      life = { crashes, state: this.fresh() };
      this.lives.set(node, life);
    }
    return life.state;
  }

  /** The current lives (those whose node has not crashed since). */
  *current(run: RunView): Iterable<[NodeId, S]> {
    for (const [node, life] of this.lives) if (life.crashes === run.crashCount(node)) yield [node, life.state];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Active health checks.

/** How a balancer's active checks judge a backend (`BalancerConfig.healthCheck` and `healthDetector`). */
export type HealthRuleOptions =
  | { readonly detector: 'off' }
  | { readonly detector: 'thresholds'; readonly check: Pick<HealthCheckConfig, 'unhealthyThreshold' | 'healthyThreshold'> }
  | { readonly detector: 'phi' };

/** One backend in one life of a balancer's view, as its facts tell it. */
interface ProbeLedger {
  /** Marked down by active checks (its last reported state was `down`). */
  down: boolean;
  /** Consecutive passing probes while down, failing ones while not down (health.ts's two counters). */
  passes: number;
  fails: number;
  /** The change the last probe result must bring in the same step: leave `down`, go `down`, or none. */
  owed: 'leave-down' | 'go-down' | null;
  /** phi: the last probe failed and no change has been reported since (phi may mark the backend down now). */
  mayGoDownByPhi: boolean;
}

/**
 * always: active health checks obey their thresholds (Envoy's): a balancer marks a backend down (reason
 * `probe-failed`) exactly when `unhealthyThreshold` probes in a row have failed while it was not down, and
 * marks a down backend up again (reason `probe-passed`, to `up` or, if outlier detection still ejects it,
 * `ejected`) exactly when `healthyThreshold` probes in a row have passed since it went down; nothing else
 * takes a backend into or out of `down`. With `healthDetector=phi` (health.ts), a passing probe marks a down
 * backend up at once and only a failed probe may mark one down (reason `phi`; the phi value itself is not
 * recomputed). Judged per balancer life from `lb-probe` and `lb-health` facts; per fact O(1).
 */
export function healthCheckThresholds(options: HealthRuleOptions): Checker<LbFact> {
  const lives = new Lives(() => new Map<NodeId, ProbeLedger>());
  const ledgerOf = (node: NodeId, backend: NodeId, run: RunView): ProbeLedger => {
    const view = lives.of(node, run);
    let ledger = view.get(backend);
    // Every backend starts up in every balancer's view, with no fact.
    if (ledger === undefined) view.set(backend, (ledger = { down: false, passes: 0, fails: 0, owed: null, mayGoDownByPhi: false }));
    return ledger;
  };
  const owedMessage = (node: NodeId, backend: NodeId, ledger: ProbeLedger): string =>
    ledger.owed === 'leave-down'
      ? `${node} did not mark ${backend} up after ${options.detector === 'phi' ? 'a passing probe (phi marks up on an answer)' : `${ledger.passes} passing probes in a row since it went down (healthy threshold ${thresholdsOf(options).healthyThreshold})`}`
      : `${node} did not mark ${backend} down after ${ledger.fails} failed probes in a row (unhealthy threshold ${thresholdsOf(options).unhealthyThreshold})`;

  return {
    name: 'health-check-thresholds',
    kind: 'always',
    description: options.detector === 'thresholds'
      ? `a balancer marks a backend down only after ${options.check.unhealthyThreshold} failed probes in a row, and up again only after ${options.check.healthyThreshold} passing ones since it went down`
      : options.detector === 'phi'
        ? 'a balancer judging probes by phi marks a backend up only on a passing probe and down only on a failed one'
        : 'a balancer without active health checks never marks a backend down or up by probes',
    onObservation(node, fact, run) {
      if (fact.type === 'lb-probe') {
        if (options.detector === 'off') return `${node} reported a probe of ${fact.backend}, but it runs no active health checks`;
        const ledger = ledgerOf(node, fact.backend, run);
        if (ledger.owed !== null) return owedMessage(node, fact.backend, ledger);
        if (options.detector === 'phi') {
          ledger.mayGoDownByPhi = !fact.passed;
          if (fact.passed && ledger.down) ledger.owed = 'leave-down';
          return;
        }
        const { unhealthyThreshold, healthyThreshold } = options.check;
        // health.ts's rule, recomputed: a pass clears the run of failures and, while down, extends the run of passes.
        if (fact.passed) {
          ledger.fails = 0;
          if (ledger.down && ++ledger.passes >= healthyThreshold) ledger.owed = 'leave-down';
        } else {
          ledger.passes = 0;
          if (!ledger.down && ++ledger.fails >= unhealthyThreshold) ledger.owed = 'go-down';
        }
        return;
      }
      if (fact.type !== 'lb-health') return;
      const ledger = ledgerOf(node, fact.backend, run);
      const byPhi = ledger.mayGoDownByPhi;
      ledger.mayGoDownByPhi = false;
      switch (fact.reason) {
        case 'probe-passed':
          // The invariant this checker exists for: no mark-up before the healthy threshold (lb/health-first-success-up).
          if (ledger.owed !== 'leave-down' || fact.state === 'down') {
            if (!ledger.down) return `${node} reported ${fact.backend} ${fact.state} on a passing probe, but it did not hold it down`;
            return options.detector === 'thresholds'
              ? `${node} marked ${fact.backend} ${fact.state} after ${ledger.passes} passing probe${ledger.passes === 1 ? '' : 's'} in a row since it went down (healthy threshold ${options.check.healthyThreshold})`
              : `${node} marked ${fact.backend} ${fact.state} on a passing probe it did not report`;
          }
          ledger.down = false;
          ledger.passes = 0;
          ledger.owed = null;
          return;
        case 'probe-failed':
          if (options.detector !== 'thresholds') return `${node} marked ${fact.backend} ${fact.state} for failed probes, but it judges probes by ${options.detector === 'phi' ? 'phi' : 'none'}`;
          if (ledger.owed !== 'go-down' || fact.state !== 'down') {
            return `${node} marked ${fact.backend} ${fact.state} after ${ledger.fails} failed probe${ledger.fails === 1 ? '' : 's'} in a row (unhealthy threshold ${options.check.unhealthyThreshold})`;
          }
          ledger.down = true;
          ledger.fails = 0;
          ledger.owed = null;
          return;
        case 'phi':
          if (options.detector !== 'phi') return `${node} marked ${fact.backend} ${fact.state} by phi, but it does not judge probes by phi`;
          if (!byPhi || ledger.down || fact.state !== 'down') return `${node} marked ${fact.backend} ${fact.state} by phi without a failed probe just before (or while it held it down already)`;
          ledger.down = true;
          return;
        default:
          // Outlier detection: ejections and re-admissions never enter or leave `down` (down wins over ejected).
          if (ledger.owed !== null) return owedMessage(node, fact.backend, ledger);
          if (ledger.down || fact.state === 'down') return `${node} changed ${fact.backend} to ${fact.state} (${fact.reason}) while active checks hold it down, or into down by outlier detection`;
          return;
      }
    },
    verdict(run) {
      for (const [node, view] of lives.current(run)) {
        for (const [backend, ledger] of view) if (ledger.owed !== null) return { ok: false, message: owedMessage(node, backend, ledger) };
      }
      return { ok: true };
    },
  };
}

function thresholdsOf(options: HealthRuleOptions): Pick<HealthCheckConfig, 'unhealthyThreshold' | 'healthyThreshold'> {
  return options.detector === 'thresholds' ? options.check : { unhealthyThreshold: 0, healthyThreshold: 0 };
}

// ---------------------------------------------------------------------------------------------------------
// The retry budget.

/** A client's budget ledger in one life: its first attempts and granted retries in the window (local times). */
interface BudgetLedger {
  readonly firsts: Fifo<Micros>;
  readonly retries: Fifo<Micros>;
  /** An `lb-issue` came without its local time, or the clock was skewed: the budget cannot be recomputed in this life. */
  blind: boolean;
}

/**
 * always: every retry a client sends fits its retry budget (Finagle's RetryBudget, client.ts): counting the
 * first attempts (`lb-issue`) and the retries (`lb-retry`) it made in the last `budgetWindowMicros` of its
 * own clock, a retry may go only if retries + 1 ≤ budgetRatio × first attempts + budgetMinPerSecond × the
 * window's seconds; and it is attempt 2 … maxAttempts. The budget's own accounting, recomputed per client
 * life from the local times the facts carry, so drift and forward jumps do not matter. A clock set back
 * does: the client then forgets retries on checks this checker cannot see (denied ones report no fact), so
 * a client life whose clock is skewed is not judged from then on. Per fact amortised O(1).
 */
export function retryWithinBudget(retry: Pick<RetryConfig, 'maxAttempts' | 'budgetRatio' | 'budgetWindowMicros' | 'budgetMinPerSecond'>): Checker<LbFact> {
  const { maxAttempts, budgetRatio, budgetWindowMicros, budgetMinPerSecond } = retry;
  const lives = new Lives<BudgetLedger>(() => ({ firsts: new Fifo(), retries: new Fifo(), blind: false }));
  return {
    name: 'retry-within-budget',
    kind: 'always',
    description: `a client retries at most ${budgetRatio} × its first attempts plus ${budgetMinPerSecond} a second over the last ${budgetWindowMicros / 1_000_000} s of its clock, and never beyond attempt ${maxAttempts}`,
    onObservation(node, fact, run) {
      if (fact.type === 'lb-issue') {
        const ledger = lives.of(node, run);
        if (fact.localMicros === undefined) ledger.blind = true;
        else ledger.firsts.push(fact.localMicros);
        return;
      }
      if (fact.type !== 'lb-retry') return;
      if (!(fact.attempt >= 2 && fact.attempt <= maxAttempts)) return `${node} retried request ${fact.id} as attempt ${fact.attempt} (attempts 2 … ${maxAttempts} may be retries)`;
      const ledger = lives.of(node, run);
      if (ledger.blind) return;
      // The window ends at the retry's own local time; what is at or before its start has left it.
      const windowStart = fact.localMicros - budgetWindowMicros;
      while ((ledger.firsts.peek() ?? Infinity) <= windowStart) ledger.firsts.shift();
      while ((ledger.retries.peek() ?? Infinity) <= windowStart) ledger.retries.shift();
      // The budget's expression, term for term as client.ts states it, so rounding cannot make them differ.
      const allowed = budgetRatio * ledger.firsts.length + (budgetMinPerSecond * budgetWindowMicros) / 1_000_000;
      const over = ledger.retries.length + 1 > allowed;
      ledger.retries.push(fact.localMicros);
      if (over) {
        return `${node} retried request ${fact.id} (attempt ${fact.attempt}) as its retry ${ledger.retries.length} in the last ${budgetWindowMicros / 1_000_000} s, but its budget allows ${Math.floor(allowed + 1e-9)} (${budgetRatio} × ${ledger.firsts.length} first attempts + ${budgetMinPerSecond} a second)`;
      }
      return;
    },
    onFault(fault, run) {
      // A skew may set the clock back (skew is absolute: any change may); judging on would count retries
      // the client has already let go of.
      if (fault !== null && fault.kind === 'clock-skew') lives.of(fault.node, run).blind = true;
    },
    verdict: () => ({ ok: true }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Smooth weighted round robin.

/**
 * The bound smooth WRR keeps, per stretch of picks over one eligible set E (weights w_i, W = Σ_E w_i, m = |E|).
 * Let c_i be NGINX's current_weight. Every pick adds w_i to each c_i of E and takes W off the chosen one, so
 * s = Σ_E c_i never changes within the stretch, and after t picks, k_i(t) of them to i:
 *     c_i(t) = c_i(0) + t·w_i − W·k_i(t),  i.e.  k_i(t) − t·w_i/W = (c_i(0) − c_i(t)) / W.        (1)
 * The chosen backend holds the largest c after the additions, at least their mean (s + W)/m, so after losing
 * W it keeps at least (s + W)/m − W; a backend not chosen only grows. Hence for all t, by induction,
 *     c_i(t) ≥ L_i = min(c_i(0), (s + W)/m − W),                                                   (2)
 * and, since the c_j sum to s, c_i(t) ≤ U_i = s − Σ_{j≠i} L_j. By (1) each backend's count stays within
 * [(c_i(0) − U_i)/W, (c_i(0) − L_i)/W] of its share t·w_i/W: a constant of the stretch's start, whatever its
 * length. The checker keeps its own c_i from the configured weights and the picks it sees (a ledger carried
 * from stretch to stretch; a backend outside E keeps its c) and checks (2) for the chosen backend at each
 * pick: only a chosen backend's c falls, and if some c_i rose above U_i another fell below its L_j at its
 * own last pick, so this checks both sides. A balancer that weighs a backend otherwise than configured (a
 * returning one at weight 1) drifts from its share by a fixed amount per pick and crosses the bound.
 */
export interface WrrRuleOptions {
  /** The balancers' backends in configuration order, with their configured weights. */
  readonly backends: readonly { readonly id: NodeId; readonly weight: number }[];
}

/** One life of one balancer: the ledger of current weights, the up set, and the stretch now. */
interface WrrLedger {
  /** c_i at the start of the stretch now (the ledger outside it). */
  readonly base: Float64Array;
  /** Up in the balancer's view (its `lb-health` facts). */
  readonly up: Uint8Array;
  /** The stretch now, or null when the eligible set may have changed since the last pick. */
  stretch: WrrStretch | null;
}

interface WrrStretch {
  readonly panic: boolean;
  readonly eligible: readonly number[];
  readonly member: Uint8Array;
  readonly totalWeight: number;
  /** Picks in the stretch, and per backend. */
  picks: number;
  readonly chosen: Float64Array;
  /** L_i of (2). */
  readonly floor: Float64Array;
}

/**
 * always: a balancer under smooth weighted round robin gives every eligible backend its configured weight:
 * over each stretch of its picks with one eligible set, each backend's count stays within the stretch's
 * bound of picks × weight ÷ total weight (see {@link WrrRuleOptions}: derived from NGINX's rule, checked as
 * (2)). The eligible set is the backends its `lb-health` facts leave up, or all in panic (`lb-route`'s flag).
 * Per route O(1); O(backends) when the eligible set changes.
 */
export function wrrKeepsWeights(options: WrrRuleOptions): Checker<LbFact> {
  const n = options.backends.length;
  const indexOf = new Map<NodeId, number>(options.backends.map((b, i) => [b.id, i]));
  const weights = options.backends.map((b) => b.weight);
  const lives = new Lives<WrrLedger>(() => ({ base: new Float64Array(n), up: new Uint8Array(n).fill(1), stretch: null }));

  /** Folds the stretch's picks into the ledger: c_i = c_i(0) + t·w_i − W·k_i for each i of it. */
  const close = (ledger: WrrLedger): void => {
    const s = ledger.stretch;
    if (s === null) return;
    for (const i of s.eligible) ledger.base[i] = ledger.base[i]! + s.picks * weights[i]! - s.totalWeight * s.chosen[i]!;
    ledger.stretch = null;
  };

  const open = (ledger: WrrLedger, panic: boolean): WrrStretch => {
    const eligible: number[] = [];
    for (let i = 0; i < n; i++) if (panic || ledger.up[i] === 1) eligible.push(i);
    const member = new Uint8Array(n);
    let total = 0;
    let sum = 0;
    for (const i of eligible) {
      member[i] = 1;
      total += weights[i]!;
      sum += ledger.base[i]!;
    }
    const floor = new Float64Array(n);
    const meanFloor = (sum + total) / eligible.length - total;
    for (const i of eligible) floor[i] = Math.min(ledger.base[i]!, meanFloor);
    return { panic, eligible, member, totalWeight: total, picks: 0, chosen: new Float64Array(n), floor };
  };

  return {
    name: 'wrr-keeps-weights',
    kind: 'always',
    description: 'under smooth weighted round robin, each eligible backend gets its configured share of picks, within a bound fixed at each change of the eligible set',
    onObservation(node, fact, run) {
      if (fact.type === 'lb-health') {
        const i = indexOf.get(fact.backend);
        if (i === undefined) return;
        const ledger = lives.of(node, run);
        const up = fact.state === 'up' ? 1 : 0;
        if (ledger.up[i] === up) return;
        close(ledger);
        ledger.up[i] = up;
        return;
      }
      if (fact.type !== 'lb-route') return;
      const i = indexOf.get(fact.backend);
      if (i === undefined) return `${node} routed to ${fact.backend}, which is none of its backends`;
      const ledger = lives.of(node, run);
      if (ledger.stretch !== null && ledger.stretch.panic !== fact.panic) close(ledger);
      const s = (ledger.stretch ??= open(ledger, fact.panic));
      if (s.member[i] !== 1) return; // a route to a backend it holds down: no-route-to-down's business
      s.picks++;
      s.chosen[i]!++;
      const current = ledger.base[i]! + s.picks * weights[i]! - s.totalWeight * s.chosen[i]!;
      // Invariant (2): the chosen backend's current weight stays at or above its floor (tolerance: rounding of non-integer weights).
      if (current < s.floor[i]! - 1e-9 * s.totalWeight * (s.picks + 1)) {
        const share = (s.picks * weights[i]!) / s.totalWeight;
        const bound = (ledger.base[i]! - s.floor[i]!) / s.totalWeight;
        return `${node} gave ${fact.backend} ${s.chosen[i]} of its ${s.picks} picks over the same ${s.eligible.length} eligible backends${s.panic ? ' (panic)' : ''}: its weight ${weights[i]} of ${s.totalWeight} gives it ${share.toFixed(2)}, and smooth WRR stays within ${bound.toFixed(2)} above that`;
      }
      return;
    },
    verdict: () => ({ ok: true }),
  };
}
