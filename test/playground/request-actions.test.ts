// Request entries in a playground session (the page's "client request" action, once the page offers it,
// adds `{ at: <moment shown>, kind: 'request', node, op? }` to the session's actions): the session checks
// them as a schedule file's, runs them, and its replay file reproduces the run through `faultline replay`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { sessionReplayText } from '../../playground/replay.js';
import { PlaygroundSession } from '../../playground/session.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import type { FaultEntry } from '../../sim/faults.js';
import { ms } from '../../sim/time.js';

const { work, faultline } = cliWorkspace('playground-request');
const config = { scenario: findScenario('raft-leader-crash')!, seed: 2, durationMicros: ms(2_000) };

describe('request entries in a playground session', () => {
  it('change the run, and its replay file reproduces it bit for bit', () => {
    const actions: FaultEntry[] = [
      { at: ms(600), kind: 'request', node: 'c1', op: { op: 'put', key: 'k1', value: 'clicked' } },
      { at: ms(900), kind: 'request', node: 'c2' },
    ];
    const session = new PlaygroundSession(config, actions);
    const result = session.runToEnd();
    const plain = new PlaygroundSession(config).runToEnd();
    expect(result.fingerprint).not.toBe(plain.fingerprint);
    const path = join(work, 'session.json');
    writeFileSync(path, sessionReplayText(session, '0.0.0-test'));
    const replayed = JSON.parse(faultline('replay', path, '--json').stdout) as { fingerprint: string; reproduced: boolean; faults: FaultEntry[] };
    expect(replayed.fingerprint).toBe(result.fingerprint);
    expect(replayed.reproduced).toBe(true);
    expect(replayed.faults.filter((f) => f.kind === 'request')).toEqual(actions);
  }, 60_000);

  it('refuses a request to a server, or an op its client refuses, in one line', () => {
    expect(() => new PlaygroundSession(config, [{ at: ms(600), kind: 'request', node: 'n1' }])).toThrow(InputError);
    expect(() => new PlaygroundSession(config, [{ at: ms(600), kind: 'request', node: 'n1' }])).toThrow(/n1 takes no requests \(nodes that do: c1, c2, c3, c4, c5\)$/);
    expect(() => new PlaygroundSession(config, [{ at: ms(600), kind: 'request', node: 'c1', op: { op: 'get' } }])).toThrow(/key must be a non-empty string/);
  });

  it('names the nodes that take requests, as the schedule checks them: clients, every broadcast node, or none', () => {
    expect(new PlaygroundSession(config).requestTakers).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(new PlaygroundSession({ scenario: findScenario('paxos-dueling-proposers')!, seed: 1 }).requestTakers).toEqual([]);
    const broadcast = new PlaygroundSession({ scenario: findScenario('broadcast-chaos')!, seed: 1 });
    expect(broadcast.requestTakers).toEqual(broadcast.nodes.map((n) => n.id));
  });
});
