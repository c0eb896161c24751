// Facts: what a process reports with `ctx.observe`, for checkers, metrics and reports. Each algorithm
// declares its facts as a discriminated union on `type` (algorithms/raft/facts.ts, …), so a misspelt or
// renamed fact is a compile error. This module holds the base shape and the small shared vocabulary
// (role with a term, leader established, command applied) that generic metrics and reports understand;
// an algorithm opts in by including {@link SharedFact} in its union and emitting those facts.

/**
 * Every fact: a plain-data object tagged by `type`. It is also what code that declares no fact union
 * reads (any `type`, any field, each `unknown`). Declare an algorithm's facts as type aliases of object
 * types, not interfaces: only those fit the index signature.
 */
export interface Fact {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The former name of {@link Fact}. */
export type Observation = Fact;

/**
 * The node's role changed: `{ type: 'role', role: 'leader', term: 3 }`. `term` is the algorithm's
 * logical era (Raft's term, Paxos's ballot round). Leader metrics treat the role named `leader` as leading.
 */
export type RoleFact<R extends string = string> = { readonly type: 'role'; readonly role: R; readonly term: number };

/** The node, as leader of `term`, is now known to a majority (leader metrics end a loss here). */
export type LeaderEstablishedFact = { readonly type: 'leader-established'; readonly term: number };

/**
 * The node applied a log position to its state machine: `command` null (or undefined) for a no-op, else
 * the client's command (commit metrics count the distinct positions applied with a command).
 */
export type AppliedFact<C = unknown> = { readonly type: 'apply'; readonly index: number; readonly term: number; readonly command: C };

/**
 * The shared vocabulary: an algorithm whose fact union includes it gets leader metrics
 * ({@link leaderMetrics} in sim/metrics.ts) and role lanes in reports.
 */
export type SharedFact<R extends string = string, C = unknown> = RoleFact<R> | LeaderEstablishedFact | AppliedFact<C>;

/**
 * A role fact read back from untyped data (a trace, as reports read it): its role, and its term (null
 * when the data has none); undefined for any other fact.
 */
export function asRoleFact(fact: Fact): { readonly role: string; readonly term: number | null } | undefined {
  if (fact.type !== 'role' || typeof fact.role !== 'string') return undefined;
  return { role: fact.role, term: typeof fact.term === 'number' ? fact.term : null };
}

/** How one member sees another (failure detectors and membership protocols). */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/**
 * The node's view of `member` changed (or it first learned of it): `{ type: 'member', member: 'n3',
 * status: 'suspect', incarnation: 2 }`. `incarnation` is the member's own era as the viewer knows it
 * (SWIM's incarnation number; for detectors without one, the member's boot count), so a view of a
 * higher incarnation supersedes a lower one. A node never reports a view of itself this way.
 * Membership checkers, metrics and reports read it; a detector opts in by including it in its facts.
 */
export type MemberFact = { readonly type: 'member'; readonly member: string; readonly status: MemberStatus; readonly incarnation: number };

/**
 * The node holds each of `members` alive at `incarnation`: `{ type: 'members-alive', members: ['n2',
 * 'n3'], incarnation: 0 }` says what a `member` fact per listed member would, in that order, in one fact.
 * A member that starts knowing all n − 1 others (SWIM) reports its view this way: at 512 members, one
 * fact per member instead of 261 632 at start-up.
 */
export type MembersAliveFact = { readonly type: 'members-alive'; readonly members: readonly string[]; readonly incarnation: number };

/** Membership facts: a view of one member, or of many at once. */
export type MembershipFact = MemberFact | MembersAliveFact;
