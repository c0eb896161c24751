// The messages behind a failed safety check: the delivery (or timer) whose handler reported the fact that
// broke it, on a node the check names, and what that handler sent — scripted on the Figure 8 run with
// raft/commit-old-term (read from `faultline run raft-figure-8 --seed 1 --bug raft/commit-old-term
// --trace`), and checked on every violation of a few planted-bug runs and on synthetic moments.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../playground/session.js';
import { describeViolationEvent, nodesNamedIn, violationEvents } from '../../playground/trace-index.js';
import { findScenario } from '../../scenarios/index.js';
import { formatMicros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

describe('violationEvents', () => {
  it('Figure 8 with raft/commit-old-term: n4 commits index 98 on the append-reply n3 sent it, delivered at 3.545789 s', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-figure-8')!, seed: 1, bug: 'raft/commit-old-term' });
    session.seek(3_600_000);
    const v = session.violations[0]!;
    expect(v.name).toBe('commit-current-term');
    expect(v.atMicros).toBe(3_545_789);
    const ids = session.nodes.map((n) => n.id);
    const events = violationEvents(session.trace, v.atMicros, nodesNamedIn(v.message, ids));
    expect(events[0]).toEqual({ kind: 'delivered', at: 3_545_789, msgId: 4201, from: 'n3', to: 'n4', type: 'append-reply' });
    expect(describeViolationEvent(events[0]!, formatMicros)).toBe('delivered append-reply n3 → n4 at 3.546s');
    // The same handler sent n3 the next append, carrying commit 98 on.
    expect(events.slice(1).map((e) => describeViolationEvent(e, formatMicros))).toContain('sent append n4 → n3 at 3.546s');
    expect(events.every((e) => e.at === v.atMicros)).toBe(true);
  });

  it('finds the handler behind every violation of planted-bug runs: it involves a node the check names', () => {
    const runs = [['raft-figure-8', 1, 'raft/commit-old-term'], ['paxos-dueling', 1, 'paxos/accept-below-promise'], ['paxos-partition', 2, 'paxos/quorum-off-by-one']] as const;
    let seen = 0;
    for (const [name, seed, bug] of runs) {
      const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, bug });
      session.runToEnd();
      const ids = session.nodes.map((n) => n.id);
      for (const v of session.violations) {
        const named = nodesNamedIn(v.message, ids);
        if (named.length === 0) continue;
        seen++;
        const events = violationEvents(session.trace, v.atMicros, named);
        const cause = events[0];
        expect(cause, `${name} ${v.name} at ${v.atMicros}`).toBeDefined();
        expect(cause!.kind).not.toBe('sent');
        const c = cause!;
        const involved = 'node' in c ? [c.node] : [c.from, c.to];
        expect(involved.some((n) => named.includes(n)), `${name} ${v.name}: ${JSON.stringify(cause)} and ${named.join(' ')}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('on synthetic moments: handlers on named nodes that reported a fact, else on named nodes, else any that reported one; with their own sends', () => {
    const nodeArb = fc.constantFrom('n1', 'n2', 'n3');
    const handler = fc.record({
      on: nodeArb, from: nodeArb, kind: fc.constantFrom('deliver', 'timer', 'request', 'leave', 'resume'), reports: fc.boolean(), sends: fc.array(nodeArb, { maxLength: 2 }),
    });
    fc.assert(fc.property(fc.array(handler, { maxLength: 6 }), fc.subarray(['n1', 'n2', 'n3'], { minLength: 1 }), (handlers, named) => {
      const at = 500;
      const trace: TraceEvent[] = [{ type: 'start', at: 0, node: 'n1' }];
      let msgId = 1;
      for (const h of handlers) {
        if (h.kind === 'deliver') trace.push({ type: 'deliver', at, from: h.from, to: h.on, msgId: msgId++, msg: { type: 'ping' } });
        else if (h.kind === 'timer') trace.push({ type: 'timer', at, node: h.on, name: 'tick' });
        else if (h.kind === 'resume') trace.push({ type: 'resume', at, node: h.on });
        else trace.push({ type: 'fault', at, fault: { at, kind: h.kind, node: h.on }, source: 'schedule', resolved: { at, kind: h.kind, node: h.on } });
        if (h.reports) trace.push({ type: 'observe', at, node: h.on, fact: { type: 'x' } });
        for (const to of h.sends) trace.push({ type: 'send', at, from: h.on, to, msgId: msgId++, msg: { type: 'pong' } });
      }
      trace.push({ type: 'timer', at: at + 1, node: 'n1', name: 'later' });
      const events = violationEvents(trace, at, named);
      const onNamed = handlers.filter((h) => named.includes(h.on));
      const chosen = onNamed.some((h) => h.reports) ? onNamed.filter((h) => h.reports) : onNamed.length > 0 ? onNamed : handlers.filter((h) => h.reports);
      expect(events.filter((e) => e.kind !== 'sent').map((e) => ('node' in e ? e.node : e.to))).toEqual(chosen.map((h) => h.on));
      expect(events.filter((e) => e.kind !== 'sent').map((e) => e.kind)).toEqual(chosen.map((h) => ({ deliver: 'delivered', timer: 'timer', request: 'request', leave: 'leave', resume: 'resumed' })[h.kind]));
      expect(events.filter((e) => e.kind === 'sent').length).toBe(chosen.reduce((n, h) => n + h.sends.length, 0));
    }), { numRuns: 300 });
  });

  it('a request entry starts its client\'s handler: what the client then sends is that handler\'s, not the previous one\'s', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 2, durationMicros: 2_000_000 }, [
      { at: 650_000, kind: 'request', node: 'c1', op: { op: 'put', key: 'k1', value: 'clicked' } },
    ]);
    session.seek(700_000); // c1 is idle at 650 ms: it invokes and sends at once
    const events = violationEvents(session.trace, 650_000, ['c1']);
    expect(events[0]).toEqual({ kind: 'request', at: 650_000, node: 'c1' });
    expect(describeViolationEvent(events[0]!, formatMicros)).toBe('c1 took a request at 650ms');
    expect(events.slice(1).map((e) => e.kind === 'sent' && e.from === 'c1' && e.type === 'client-request')).toContain(true);
  });
});
