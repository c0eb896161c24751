// The phi accrual detector's rule on its deviation floor (Hayashibara et al. 2004; Akka's
// min-std-deviation), judged from the heartbeats each member was seen to receive: a member declares a peer
// dead only after a silence that phi computed with the floor deviation would also call a failure.
// Sound under any fault the engine injects: arrivals and declarations are read on the member's replayed clock.

import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';
import { ClockReplays } from './clock-replay.js';
import type { FdFact } from './facts.js';
import { phi, seededIntervalWindow, type IntervalWindow } from './phi.js';

/** Options of {@link phiMinStdDeviation}: the scenario's phi parameters. */
export interface PhiFloorOptions {
  readonly threshold: number;
  readonly windowSize: number;
  readonly minStdDeviationMicros: Micros;
  readonly acceptablePauseMicros: Micros;
  readonly firstHeartbeatEstimateMicros: Micros;
}

/** What the checker rebuilt of one viewer's view of one peer, from the arrivals (local times). */
interface Rebuilt {
  heard: boolean;
  incarnation: number;
  lastArrivalMicros: Micros;
  readonly window: IntervalWindow;
}

/** One life of one viewer: its rebuilt views, by peer. */
interface ViewerLife {
  readonly crashes: number;
  readonly peers: Map<NodeId, Rebuilt>;
  readonly bootMicros: Micros;
}

/**
 * always (phi accrual with a deviation floor σ_min): a member declares a peer dead only when
 * phi(silence; μ + acceptable pause, σ_min) > threshold, where μ is the mean of the inter-arrival window
 * a correct detector would hold after exactly the heartbeats this member handled, and the silence is read
 * on its own clock. Why it binds every correct member: its deviation is max(σ_fit, σ_min) ≥ σ_min, and for
 * a silence past the mean phi falls as the deviation grows (below the mean phi is at most log10 2, under
 * any threshold the scenario allows of 0.302 and up), so its phi over the threshold implies this one is.
 * Without the floor, steady heartbeats fit σ ≈ 0 and a silence a hair past μ is a death: this fails it.
 *
 * The window is rebuilt as the paper and Akka keep it: seeded with the first-heartbeat estimate ∓ a
 * quarter, then each heartbeat of the peer's current incarnation after the first adds the time since the
 * previous arrival, unless phi (with the floor) had already crossed the threshold; a heartbeat of an older
 * incarnation is ignored. Arrivals come from trace events (`deliver` of a `heartbeat`), so the checker
 * asks for every event: it runs only for the phi detector.
 */
export function phiMinStdDeviation(options: PhiFloorOptions): Checker<FdFact> {
  const clocks = new ClockReplays();
  // Below log10 2 (phi at the mean) a silence shorter than the mean can cross the threshold, and a wider
  // deviation raises phi there: the floor then bounds nothing, and nothing is judged.
  const judged = options.threshold >= phi(0, 0, 1);
  const lives = new Map<NodeId, ViewerLife>();
  const phiFloored = (view: Rebuilt, nowMicros: Micros): number =>
    phi(nowMicros - view.lastArrivalMicros, view.window.mean + options.acceptablePauseMicros, Math.max(view.window.stdDeviation, options.minStdDeviationMicros));

  const lifeOf = (viewer: NodeId, run: RunView): ViewerLife | undefined => {
    const life = lives.get(viewer);
    return life !== undefined && life.crashes === run.crashCount(viewer) ? life : undefined;
  };
  const rebuilt = (life: ViewerLife, peer: NodeId): Rebuilt => {
    let view = life.peers.get(peer);
    if (view === undefined) {
      view = { heard: false, incarnation: 0, lastArrivalMicros: life.bootMicros, window: seededIntervalWindow(options.windowSize, options.firstHeartbeatEstimateMicros) };
      life.peers.set(peer, view);
    }
    return view;
  };

  return {
    name: 'phi-min-std-deviation',
    kind: 'always',
    description: `a member declares a peer dead only after a silence that phi with the floor deviation σ_min = ${formatMicros(options.minStdDeviationMicros)} puts over the threshold ${options.threshold}`,
    onFault(fault, run) {
      clocks.apply(fault, run.now);
    },
    onEvent(event: TraceEvent, run: RunView) {
      if (event.type === 'start' || event.type === 'restart') {
        lives.set(event.node, { crashes: run.crashCount(event.node), peers: new Map(), bootMicros: clocks.of(event.node).read(run.now) });
        return;
      }
      if (event.type === 'deliver') {
        const msg = event.msg as { readonly type?: string; readonly incarnation?: number };
        if (msg.type !== 'heartbeat' || msg.incarnation === undefined) return;
        const life = lifeOf(event.to, run);
        if (life === undefined) return;
        const view = rebuilt(life, event.from);
        if (msg.incarnation < view.incarnation) return;
        const now = clocks.of(event.to).read(run.now);
        if (view.heard && msg.incarnation === view.incarnation && phiFloored(view, now) <= options.threshold) view.window.add(Math.max(0, now - view.lastArrivalMicros));
        view.lastArrivalMicros = now;
        view.heard = true;
        view.incarnation = msg.incarnation;
        return;
      }
      if (event.type !== 'observe') return;
      const fact = event.fact as FdFact;
      if (fact.type !== 'member' || fact.status !== 'dead' || !judged) return;
      const life = lifeOf(event.node, run);
      if (life === undefined) return;
      const view = rebuilt(life, fact.member);
      const now = clocks.of(event.node).read(run.now);
      const silence = now - view.lastArrivalMicros;
      const mean = view.window.mean + options.acceptablePauseMicros;
      const atFloor = phi(silence, mean, options.minStdDeviationMicros);
      // Invariant (phi accrual, σ ≥ σ_min): no death while phi at the floor deviation is within the threshold.
      if (atFloor <= options.threshold) {
        return `${event.node} declared ${fact.member} dead after ${formatMicros(silence)} of silence on its clock; with the window's mean ${formatMicros(Math.round(mean))} (pause included) and the floor deviation ${formatMicros(options.minStdDeviationMicros)}, phi is ${atFloor.toFixed(2)}, not over the threshold ${options.threshold}`;
      }
    },
    verdict: () => ({ ok: true }),
  };
}
