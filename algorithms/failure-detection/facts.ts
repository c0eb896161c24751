// What failure detectors report (`ctx.observe`): every detector reports its view of each member with
// the shared membership fact (sim/facts.ts), which the membership checkers, metrics and reports read;
// SWIM adds what its own mechanisms do (a refutation, Lifeguard's local health).

import type { MembershipFact } from '../../sim/facts.js';

export type { MemberFact, MembersAliveFact, MembershipFact, MemberStatus } from '../../sim/facts.js';

/** SWIM: the member learned it is suspected (or declared dead) and refuted it with a higher incarnation. */
export type RefuteFact = { readonly type: 'refute'; readonly incarnation: number };

/** Lifeguard: the member's local health multiplier changed (0 = healthy; higher stretches its timeouts). */
export type LocalHealthFact = { readonly type: 'local-health'; readonly score: number };

/** SWIM's own facts. */
export type SwimFact = RefuteFact | LocalHealthFact;

/** Every failure detector's facts. */
export type FdFact = MembershipFact | SwimFact;
