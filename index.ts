// The public API: what `import { … } from 'faultline'` gives an algorithm written outside this tree.
// A deliberate surface, grouped as a user meets it: the Process/Context contract, facts, scenarios and
// parameters, checkers, running and sweeping, replay files, fast-check arbitraries and the test helper.
// Everything else (the engine's internals, reports, the CLI) may change without notice.

// ---- the contract an algorithm implements ------------------------------------------------------

/**
 * A node's code ({@link Process}) and what it may do ({@link Context}): send, set timers, read its own
 * clock, random stream and disk, and report facts with `ctx.observe`. {@link NodeSpec} names a node,
 * its role and the factory that builds a fresh process at boot and at every restart.
 */
export type { Context, NodeId, NodeSpec, Process, RequestCheck } from './sim/process.js';

// ---- facts -----------------------------------------------------------------------------------------

/**
 * Facts: what a process reports with `ctx.observe`. An algorithm declares its facts as a discriminated
 * union of type aliases on `type`, and types its {@link Process} (`Process<Msg, MyFact>`), its checkers
 * (`Checker<MyFact>`, `always<MyFact>({ … })`) and its scenarios' set-ups (`ScenarioSetup<MyFact>`) by
 * it, so a misspelt or renamed fact is a compile error:
 *
 * ```ts
 * export type CounterFact = { readonly type: 'increment'; readonly count: number } | { readonly type: 'value'; readonly value: number };
 * ```
 *
 * {@link Fact} is the shape every fact has (and what code that declares no union reads);
 * {@link Observation} is its former name.
 */
export type { Fact, Observation } from './sim/facts.js';
/**
 * The shared vocabulary that generic metrics and reports understand: a node's role with a term or epoch
 * ({@link RoleFact}), a leader known to a majority ({@link LeaderEstablishedFact}), a log position applied
 * ({@link AppliedFact}). An algorithm opts in by including {@link SharedFact} in its union and emitting
 * them; it may then register {@link leaderMetrics} and {@link commitMetrics}, and reports draw role lanes.
 */
export type { AppliedFact, LeaderEstablishedFact, RoleFact, SharedFact } from './sim/facts.js';
/** Reads a role fact back from untyped data (a trace): the fact, or undefined. */
export { asRoleFact } from './sim/facts.js';
/**
 * Membership: a node's view of another member ({@link MemberFact}: alive, suspect, dead or left, at an
 * incarnation), or of many held alive at once ({@link MembersAliveFact}). A failure detector or membership protocol that reports it gets the membership checkers
 * (completeness within a bound, accuracy after heal, incarnations never decrease, …), the membership
 * metrics (detection time, false suspicions, messages and bytes per member, dissemination) and member
 * views drawn in reports.
 */
export type { MemberFact, MembersAliveFact, MembershipFact, MemberStatus } from './sim/facts.js';
export {
  accuracyAfterHeal, completeness, deadIsFinal, incarnationsNeverDecrease, membershipCheckers, neverSelfDead,
} from './algorithms/failure-detection/membership-checks.js';
export { membershipMetrics } from './algorithms/failure-detection/membership-metrics.js';
/**
 * Load balancing: the facts a serving topology reports (requests issued and ended, routing decisions, a
 * balancer's view of a backend, a backend's queue samples) and the checkers and metrics that read them:
 * conservation, no route to a backend marked down, success after heal; latency quantiles, utilisation,
 * queue lengths. The policies are there to be reused in other balancers.
 */
export type { LbFact, RequestIssuedFact, RequestDoneFact, RouteFact, BackendHealthFact, BackendSampleFact } from './algorithms/load-balancing/facts.js';
export { lbCheckers, type LbCheckOptions } from './algorithms/load-balancing/checks.js';
export { lbMetrics, LB_METRICS } from './algorithms/load-balancing/metrics.js';
export { createPolicy } from './algorithms/load-balancing/policies.js';
export { createHealthView } from './algorithms/load-balancing/health.js';
export type { Policy, HealthView } from './algorithms/load-balancing/parts.js';
/** A node's disk: what was synced survives a crash; unsynced writes are lost. */
export type { Disk } from './sim/disk.js';
/** A node's own deterministic random stream (`ctx.rng`). */
export { Rng, SEED_MAX } from './sim/rng.js';
/** Client operations recorded as invoke/complete pairs, for history checkers. */
export type { ClientHistory, Operation, OpStatus } from './sim/history.js';
/** Virtual time: integer microseconds, and helpers to write and read it. */
export { formatMicros, ms, parseDuration, seconds, us, type Micros } from './sim/time.js';
/** `assert(cond, why)`: a broken invariant inside a handler crashes the node and is reported. */
export { assert, InvariantError } from './sim/assert.js';
/** The error for bad user input (one line, exit code 2 on the command line). */
export { InputError } from './sim/errors.js';

// ---- scenarios ---------------------------------------------------------------------------------

/** A named, runnable set-up: cluster, network, parameters, planted bugs, checkers. */
export type {
  ActiveBugs, BugDecl, BugSet, BugSpec, CheckedParamDecls, FamilyBuildOptions, ParamDecl, ParamDecls, ParamSet, ParamSpec, ParamUnit,
  ParamValues, ParamValuesOf, Scenario, ScenarioBuildOptions, ScenarioFamily, ScenarioSetup, ScenarioVariant, ScriptContext,
} from './sim/scenario.js';
/**
 * The scenario-family helper: {@link defineParams} declares typed parameters (units, bounds, min/max
 * pairs) once, {@link defineBugs} an algorithm's planted bugs (read in code as booleans), and
 * {@link defineScenarioFamily} makes one scenario per variant of a family. {@link numberParam} reads a
 * parameter of a scenario written by hand (without the helper).
 */
export { defineBugs, defineParams, defineScenarioFamily, numberParam } from './sim/scenario.js';
/**
 * Parameters every built-in scenario shares, declared once ({@link NETWORK_PARAMS}: latency, loss,
 * duplication, link capacity; {@link RECOVERY_PARAMS}: the recovery bound), the network they describe,
 * and node naming (`n1` … `nN`).
 */
export { NETWORK_PARAMS, networkFromParams, RECOVERY_PARAMS, serverIds, type NetworkParams, type RecoveryParams } from './scenarios/common.js';
export type { LatencyModel, NetworkConfig } from './sim/network.js';
/** Fault schedules (plain JSON data) and the nemesis profiles that draw them from a seed. */
export type { FaultEntry, FaultKind } from './sim/faults.js';
export { NEMESIS_PROFILES, type NemesisProfile } from './sim/nemesis.js';
/**
 * An algorithm's state-dependent roles for fault references (`@leader`, `@follower`, `@primary` …):
 * {@link RoleOracle} names them and says who holds them now; {@link leaderRoles} makes one for an
 * algorithm with one leader.
 */
export { leaderRoles, type RoleOracle } from './sim/fault-apply.js';
/**
 * Open roles and topologies: node roles are names a scenario chooses (`client` drives a workload),
 * a {@link Topology} says who talks to whom (`ctx.peers`), and `nemesisTargets` names roles.
 */
export { CLIENT_ROLE, type Topology } from './sim/topology.js';
export type { NemesisTargets } from './sim/scenario.js';
/**
 * The scenario registry: the built-in scenarios, plus any added here or loaded from a module (the
 * CLI's `--scenarios FILE` does this). Sweep workers and replay files find scenarios by name in it.
 */
export { addScenarios, builtInScenarios, findScenario, scenarios } from './scenarios/index.js';
export { loadScenarioModule } from './lab/user-scenarios.js';

// ---- checkers ----------------------------------------------------------------------------------

/** The checker contract: `always` (safety), `eventually` (liveness) or `sometimes` (reached at least once). */
export type { Checker, CheckKind, CheckResult, CheckVerdict, NodeStatus, RunView } from './sim/check.js';
/**
 * Metrics observers: registered by a scenario (`ScenarioSetup.observers`, fresh per run), they watch facts
 * and compute the run's metrics, and never judge it. {@link leaderMetrics} (leader losses and the time to
 * a new leader) and {@link commitMetrics} (messages per committed command) serve algorithms that emit
 * the shared facts.
 */
export {
  commitMetrics, leaderMetrics, type EndedRun, type LeaderMetricFact, type MetricDecl, type MetricUnit, type MetricsObserver, type ObservedMetrics,
  type RunMetrics,
} from './sim/metrics.js';
export type { FactObserver, LinkView } from './sim/check.js';
/** One-call checkers of each kind. */
export { always, eventually, sometimes, type PropertyInfo } from './sim/check/properties.js';
/** Linearizability of a client history against a sequential model, as a checker and as a function. */
export { clientOperationsComplete, linearizabilityChecker } from './sim/check/history-checker.js';
export {
  checkLinearizability, type CheckOptions, type LinearizabilityFailure, type LinearizabilityResult, type Verdict,
} from './sim/check/linearizability.js';
/** A check's self-contained HTML picture: the failing key first, the ordered prefix numbered, the blocked operation marked. */
export { renderCheckReport } from './reports/check-html.js';
export type { CheckReportInput } from './reports/check-html-model.js';
/**
 * Sequential models: the built-ins (by name through {@link modelNamed}, or as objects), and the
 * {@link Model} interface a user implements to check histories of their own object.
 */
export {
  BUILT_IN_MODELS, MODEL_NAMES, casRegisterModel, counterModel, fifoQueueModel, kvModel, modelNamed, mutexModel, registerModel, setModel,
  type HistoryOp, type Model, type ModelName, type OpInput, type OpName, type OpOutput, type StateKey,
} from './sim/check/models.js';

// ---- running -----------------------------------------------------------------------------------

/** One run in two phases (faults, then recovery); the outcome and fingerprint are a pure function of the inputs. */
export {
  EXIT_CODES, executeRun, prepareRun, type Outcome, type PreparedRun, type RunRequest, type RunResult,
} from './sim/run.js';
export { run, type RunOptions } from './lab/api-run.js';
/**
 * Many seeds on worker threads. A sweep finds its scenario by name in the registry, in every worker: for a
 * scenario of your own, pass `config.scenariosModule`, the file URL of the module that exports it.
 */
export {
  parseSeedRange, prepareSweep, runSweep, sweepExitCode,
  type PreparedSweep, type SeedRange, type Shard, type SweepHooks, type SweepRequest, type SweepResult, type SweepSummary,
} from './lab/sweep.js';
export type { RunSummary, SweepRunConfig } from './lab/sweep-batch.js';
/** Shrinks a failing run to a minimal one that fails the same check. */
export { shrink, type ShrinkOptions, type ShrinkResult } from './lab/shrink.js';
/**
 * Experiments: a grid of settings × a range of seeds on the sweep's workers, summarised per grid point
 * (quantiles, the mean with a seeded-bootstrap interval, an empirical CDF), as `faultline experiment` runs
 * them; the result renders as a terminal table or a self-contained HTML page.
 */
export {
  prepareExperiment, runExperiment, type ExperimentHooks, type ExperimentRun, type PreparedExperiment,
} from './lab/experiment.js';
export type { ExperimentFile, ExperimentResult, MetricStats, PointResult, ReferenceResult } from './lab/experiment-model.js';
export { renderExperimentHtml } from './reports/experiment-html.js';
export { renderExperimentTerminal } from './reports/experiment-terminal.js';

// ---- replay files ------------------------------------------------------------------------------

/** One self-describing JSON file per run: `faultline replay FILE` reruns it exactly. */
export {
  parseReplayFile, readReplayFile, REPLAY_FORMAT, replayFileOf, serializeReplayFile, type ReplayFile,
} from './lab/replay-file.js';

// ---- property tests ----------------------------------------------------------------------------

/** fast-check arbitraries of fault schedules, one per profile; they shrink to fewer, earlier, shorter windows. */
export { faultScheduleArbitrary, SCHEDULE_PROFILES, type ScheduleOptions, type ScheduleProfile } from './lab/arbitraries.js';
/**
 * For vitest (or any runner): "this scenario keeps these checks under any schedule of a profile", with
 * a shrunk counterexample written as a replay file.
 */
export {
  assertScenarioProperty, checkScenarioProperty, type ScenarioPropertyFailure, type ScenarioPropertyOptions,
} from './lab/testing.js';
