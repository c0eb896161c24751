// Opening a saved run in the playground (playground/open-file.ts): a session's replay file, and a run
// report, open back to a session with the same fingerprint; every mutated or foreign text is one line
// naming the problem (never another exception), and a text that opens is one a session accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayFileOf, serializeReplayFile } from '../../lab/replay-file.js';
import { collectTrace, jsonForScript, renderHtmlReport } from '../../reports/html.js';
import { fingerprintLine, openedLine, openRunText, sessionConfigOf, tryOpenRunText, type OpenedRun } from '../../playground/open-file.js';
import { sessionReplayText } from '../../playground/replay.js';
import { PlaygroundSession } from '../../playground/session.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms } from '../../sim/time.js';

const VERSION = '0.0.0-test';

/** Scenarios of several algorithms that run a short fault phase quickly, each with a bug (or none). */
const CHEAP: readonly { readonly name: string; readonly bugs: readonly (string | undefined)[] }[] = [
  { name: 'raft-leader-crash', bugs: [undefined, 'raft/commit-old-term'] },
  { name: 'broadcast-lossy', bugs: [undefined, 'broadcast/no-dedup'] },
  { name: 'paxos-leader-crash', bugs: [undefined] },
  { name: 'fd-crash', bugs: [undefined] },
  { name: '2pc-coordinator-crash', bugs: [undefined] },
];

/** A session of `name` with a few node actions taken at increasing times (times in ms, node by index). */
function sessionWith(name: string, seed: number, bug: string | undefined, durationMillis: number, actions: readonly { atMillis: number; kind: 'crash' | 'restart' | 'pause' | 'resume'; node: number }[]) {
  const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: ms(durationMillis), ...(bug !== undefined ? { bug } : {}) });
  const servers = session.nodes.filter((n) => n.role !== 'client').map((n) => n.id);
  for (const a of [...actions].sort((x, y) => x.atMillis - y.atMillis)) {
    session.seek(ms(Math.min(a.atMillis, durationMillis - 1)));
    session.act(a.kind, servers[a.node % servers.length]!);
  }
  return session;
}

const sessionArb = fc.record({
  scenario: fc.constantFrom(...CHEAP),
  bugIndex: fc.nat(),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  durationMillis: fc.integer({ min: 200, max: 1_200 }),
  actions: fc.array(fc.record({ atMillis: fc.integer({ min: 0, max: 1_199 }), kind: fc.constantFrom('crash', 'restart', 'pause', 'resume' as const), node: fc.nat(10) }), { maxLength: 4 }),
});

/** One line a person can read: no line break or other control character. */
function expectOneLine(problem: string, name: string): void {
  expect(problem.startsWith(`${name}`), problem).toBe(true);
  // eslint-disable-next-line no-control-regex
  expect(problem, problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
}

describe('openRunText: a session\'s replay file opens back to the same run', () => {
  it('property: the opened session ends with the session\'s fingerprint, and no input reads as edited', () => {
    fc.assert(fc.property(sessionArb, ({ scenario, bugIndex, seed, durationMillis, actions }) => {
      const bug = scenario.bugs[bugIndex % scenario.bugs.length];
      const session = sessionWith(scenario.name, seed, bug, durationMillis, actions);
      const result = session.runToEnd();
      const opened = openRunText(sessionReplayText(session, VERSION), 'session.json');
      expect(opened).toMatchObject({ kind: 'replay file', scenario: scenario.name, seed, bug: bug ?? null, durationMicros: ms(durationMillis), writtenBy: VERSION, editedFields: [] });
      expect(opened.expected).toEqual({ fingerprint: result.fingerprint, outcome: result.outcome });
      expect(opened.schedule).toEqual(session.prepared.faults);
      // The opened run is plain data (the command embeds it in the page as JSON).
      expect(JSON.parse(JSON.stringify(opened))).toEqual(opened);
      const reopened = new PlaygroundSession(sessionConfigOf(opened)).runToEnd();
      expect(reopened.fingerprint).toBe(result.fingerprint);
      expect(reopened.outcome).toBe(result.outcome);
      expect(fingerprintLine(opened, reopened, VERSION)).toMatch(/^fingerprint [0-9a-f]{16} \(\S+\) matches session\.json/);
    }), { numRuns: 25 });
  }, 120_000);

  it('a run report opens to its run: the replay file it embeds, the same fingerprint', () => {
    const prepared = prepareRun({ scenario: findScenario('broadcast-lossy')!, seed: 3, bug: 'broadcast/no-dedup', durationMicros: ms(800) });
    const { sink, events } = collectTrace();
    const result = executeRun(prepared, sink);
    const html = renderHtmlReport({ prepared, result, trace: events });
    const opened = openRunText(html, 'report.html');
    expect(opened).toMatchObject({ kind: 'run report', scenario: 'broadcast-lossy', seed: 3, bug: 'broadcast/no-dedup', durationMicros: ms(800), editedFields: [] });
    expect(opened.expected.fingerprint).toBe(result.fingerprint);
    expect(opened.schedule).toEqual(prepared.faults);
    const session = new PlaygroundSession(sessionConfigOf(opened));
    expect(session.runToEnd().fingerprint).toBe(result.fingerprint);
    expect(openedLine(opened)).toBe(`opened report.html (a run report written by faultline ${replayFileOf(prepared, result).faultline}): expected fingerprint ${result.fingerprint} (${result.outcome})`);
  }, 60_000);

  it('a replay file with parameters set, nodes and a byte-order mark opens with them', () => {
    const prepared = prepareRun({ scenario: findScenario('raft-leader-crash')!, seed: 9, nodeCount: 3, durationMicros: ms(600), set: ['clients=2'] });
    const result = executeRun(prepared);
    const opened = openRunText('\uFEFF\n' + serializeReplayFile(replayFileOf(prepared, result, VERSION)), 'saved.json');
    expect(opened).toMatchObject({ nodeCount: 3, set: ['clients=2'], editedFields: [] });
    expect(new PlaygroundSession(sessionConfigOf(opened)).runToEnd().fingerprint).toBe(result.fingerprint);
  }, 60_000);
});

describe('openRunText: what is wrong, in one line', () => {
  const session = sessionWith('raft-leader-crash', 1, undefined, 1_500, [{ atMillis: 700, kind: 'crash', node: 1 }]);
  const text = sessionReplayText(session, VERSION);
  const file = JSON.parse(text) as Record<string, unknown> & { expected: Record<string, unknown>; faults: Record<string, unknown>[] };
  const edit = (change: (f: typeof file) => void) => {
    const copy = JSON.parse(text) as typeof file;
    change(copy);
    return JSON.stringify(copy);
  };
  const problem = (t: string, name = 'run.json') => {
    const r = tryOpenRunText(t, name);
    if (r.ok) throw new Error(`expected a problem; it opened ${JSON.stringify(r.opened.scenario)}`);
    expectOneLine(r.problem, name);
    return r.problem;
  };

  it('names each problem', () => {
    expect(problem('')).toMatch(/^run\.json: neither JSON nor an HTML page \(.*\); the playground opens replay files/);
    expect(problem('{"format": ')).toMatch(/^run\.json: neither JSON nor an HTML page/);
    expect(problem('[{"at": 0, "kind": "crash", "node": "n1"}]')).toMatch(/^run\.json: a JSON list \(a fault schedule\?\), not a replay file/);
    expect(problem('"text"')).toMatch(/^run\.json: file: expected a JSON object/);
    expect(problem('{"format": "faultline-sweep/1", "faultline": "0.1.0"}', 'summary.json')).toBe("summary.json: a faultline-sweep/1 file, not a replay file: a sweep's replay files are DIR/failures/*.json");
    expect(problem(edit((f) => { f.format = 'faultline-replay/2'; }))).toBe('run.json: format: expected "faultline-replay/1"; got "faultline-replay/2"');
    expect(problem(edit((f) => { f.scenario = 'raft-leader-crsh'; }))).toMatch(/^run\.json: scenario: unknown scenario 'raft-leader-crsh' \(did you mean raft-leader-crash\?\)$/);
    expect(problem(edit((f) => { f.scenario = 'counter-crashes'; f.scenarios = './my-scenarios.ts'; })))
      .toBe('run.json: scenario: counter-crashes comes from the module ./my-scenarios.ts (--scenarios), which the playground cannot load: it runs the built-in scenarios');
    expect(problem(edit((f) => { f.bug = 'raft/nope'; }))).toMatch(/^run\.json: bug: scenario raft-leader-crash has no planted bug 'raft\/nope'/);
    expect(problem(edit((f) => { f.nodes = 99; }))).toMatch(/^run\.json: --nodes 99: scenario raft-leader-crash runs with/);
    expect(problem(edit((f) => { f.faults[0]!.node = 'n42'; }))).toMatch(/^run\.json: fault #1 \(crash\): node must name a cluster node .*; got "n42"$/);
    expect(problem(edit((f) => { f.expected.fingerprint = 'xyz'; }))).toBe('run.json: expected.fingerprint: expected 16 hex digits');
    // The faultline version is not enforced (replay does not): a run of another version opens, and the page says so if it differs.
    expect(tryOpenRunText(edit((f) => { f.faultline = '9.9.9'; }), 'run.json').ok).toBe(true);
  });

  it('a control character in a field is escaped, not printed', () => {
    expect(problem(edit((f) => { f.scenario = '\u001b[2J\nraft'; }))).toContain("unknown scenario '\\x1b[2J\\nraft'");
  });

  it('HTML that is not a run report, and a damaged report', () => {
    expect(problem('<!DOCTYPE html><html><body><script type="application/json" id="run-data">{}</script></body></html>', 'experiment.html'))
      .toBe("experiment.html: an HTML page without a run's replay file (only a run report, from run, replay or shrink --report, embeds one; experiment and check reports do not)");
    expect(problem('<html><script type="application/json" id="replay-file">"{\\"format</script>', 'r.html')).toMatch(/^r\.html: the run report's replay file is damaged \(/);
    expect(problem('<html><script type="application/json" id="replay-file">{"a": 1}</script>', 'r.html')).toBe("r.html: the run report's replay file is damaged (expected the file's text as a JSON string)");
    expect(problem(`<html><script type="application/json" id="replay-file">${JSON.stringify(edit((f) => { f.seed = -1; }))}</script>`, 'r.html'))
      .toMatch(/^r\.html \(its replay file\): seed: expected an integer/);
  });

  it('an edited input opens as a new run, and the page says why its fingerprint differs', () => {
    const opened = openRunText(edit((f) => { f.seed = 2; }), 'run.json');
    expect(opened.editedFields).toEqual(['seed']);
    expect(openedLine(opened)).toMatch(/its inputs were edited since it was recorded \(seed\), so this is a new run/);
    const ended = new PlaygroundSession(sessionConfigOf(opened)).runToEnd();
    expect(ended.fingerprint).not.toBe(opened.expected.fingerprint);
    expect(fingerprintLine(opened, ended, VERSION)).toMatch(/differs from run\.json's [0-9a-f]{16} \(\S+\): its inputs were edited since it was recorded \(seed\)$/);
    const old = openRunText(edit((f) => { delete f.expected.inputs; f.seed = 2; }), 'old.json');
    expect(old.editedFields).toBeNull();
    expect(fingerprintLine(old, ended, VERSION)).toMatch(/records no input digests/);
    const other: OpenedRun = { ...openRunText(text, 'run.json'), writtenBy: '0.0.1' };
    expect(fingerprintLine(other, { fingerprint: '0123456789abcdef', outcome: 'pass' }, VERSION)).toMatch(/written by faultline 0\.0\.1 and this page is faultline 0\.0\.0-test/);
    const unsaid = openRunText(edit((f) => { delete f.faultline; }), 'run.json');
    expect(unsaid.writtenBy).toBeNull();
    expect(openedLine(unsaid)).toMatch(/^opened run\.json \(a replay file written by a faultline that does not say its version\): expected fingerprint/);
    expect(fingerprintLine(unsaid, { fingerprint: '0123456789abcdef', outcome: 'pass' }, VERSION)).toMatch(/: the file was written by a faultline that does not say its version and this page is faultline 0\.0\.0-test/);
    expect(fingerprintLine({ ...other, writtenBy: VERSION }, { fingerprint: '0123456789abcdef', outcome: 'pass' }, VERSION)).toMatch(/with the same inputs and version: nondeterminism/);
  }, 60_000);

  /** Every place in the file a mutation can put a value: top-level fields, expected's, a fault's. */
  const paths: readonly (readonly (string | number)[])[] = [
    ...Object.keys(file).map((k) => [k]),
    ...Object.keys(file.expected).map((k) => ['expected', k]),
    ...file.faults.flatMap((f, i) => Object.keys(f).map((k) => ['faults', i, k])),
    ['params', 'clients'], ['params', 'nope'], ['faults', 0], ['expected', 'inputs', 'seed'],
  ];
  const valueArb = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(-1, 0, 1, 2 ** 32, 1e300, Number.MAX_SAFE_INTEGER, 0.5, '', 'n1', 'n9', 'c1', '@leader', 'crash', 'raft-chaos', 'raft/commit-old-term', '150ms', null, [], {}),
  );
  const mutationArb = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...paths), value: valueArb }),
    fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: text.length }), length: fc.nat({ max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat({ max: text.length }), chars: fc.string({ maxLength: 6 }) }),
  );

  function mutate(m: typeof mutationArb extends fc.Arbitrary<infer T> ? T : never): string {
    if (m.kind === 'cut') return text.slice(0, m.at) + text.slice(m.at + m.length);
    if (m.kind === 'insert') return text.slice(0, m.at) + m.chars + text.slice(m.at);
    return edit((f) => {
      let target = f as unknown as Record<string | number, unknown>;
      for (const key of m.path.slice(0, -1)) {
        if (target[key] === null || typeof target[key] !== 'object') return;
        target = target[key] as Record<string | number, unknown>;
      }
      const last = m.path[m.path.length - 1]!;
      if (m.kind === 'delete') delete target[last];
      else target[last] = m.value;
    });
  }

  it('property: a mutated file opens or is one line naming its problem, never another exception; if it opens, a session accepts it', () => {
    fc.assert(fc.property(mutationArb, fc.boolean(), (m, asReport) => {
      const mutated = mutate(m);
      const input = asReport ? `<!DOCTYPE html><script type="application/json" id="replay-file">${JSON.stringify(mutated).replace(/</g, '\\u003c')}</script>` : mutated;
      let r: ReturnType<typeof tryOpenRunText>;
      try {
        r = tryOpenRunText(input, 'run.json');
      } catch (error) {
        throw new Error(`not an InputError: ${(error as Error).stack}`);
      }
      if (!r.ok) {
        expectOneLine(r.problem, 'run.json');
        return;
      }
      // Checked before the page runs it: the session takes the opened run as it is.
      expect(() => new PlaygroundSession(sessionConfigOf(r.opened))).not.toThrow();
      if (r.opened.editedFields !== null && r.opened.editedFields.length === 0) {
        expect(r.opened.schedule).toEqual(session.prepared.faults);
        expect(r.opened.seed).toBe(1);
      }
    }), { numRuns: 300 });
  }, 120_000);

  it('property: a report element holding a text opens exactly as the text does (the embedding is read back whole)', () => {
    // The run report embeds its replay file's text with jsonForScript (reports/html.ts); any text, not only valid ones.
    const textArb = fc.oneof(fc.constant(text), mutationArb.map(mutate), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }).map((t) => `{"a":"${t}</script><!--\u2028"}`));
    fc.assert(fc.property(textArb, (t) => {
      fc.pre(!t.replace(/^\uFEFF/, '').trimStart().startsWith('<'));
      const direct = tryOpenRunText(t, 'x');
      const viaReport = tryOpenRunText(`<!DOCTYPE html>\n<p>report</p>\n<script type="application/json" id="replay-file">${jsonForScript(t)}</script>\n<script>code()</script>`, 'x');
      expect(viaReport.ok).toBe(direct.ok);
      if (direct.ok && viaReport.ok) expect({ ...viaReport.opened, kind: 'replay file' }).toEqual(direct.opened);
      if (!direct.ok && !viaReport.ok) expectOneLine(viaReport.problem, 'x');
    }), { numRuns: 300 });
  });

  it('openRunText throws InputError, tryOpenRunText returns the same message', () => {
    expect(() => openRunText('nope', 'x.json')).toThrow(InputError);
    expect(tryOpenRunText('nope', 'x.json')).toMatchObject({ ok: false });
  });
});
