// The HTML report: one self-contained file (nothing loaded from a network), carrying the run's data,
// byte-identical for the same run, and safe against data that contains `</script>` or `<!--`.
import { describe, expect, it } from 'vitest';
import { buildReportData, summarise, type ModelInput, type ReportData } from '../../reports/html-model.js';
import { collectTrace, jsonForScript, renderHtmlReport } from '../../reports/html.js';
import { replayCommand } from '../../reports/replay-command.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { TraceEvent } from '../../sim/trace.js';

const REPLAY = 'faultline run broadcast-lossy --seed 1 --bug broadcast/no-dedup';

function traced(name: string, seed: number, bug?: string) {
  const prepared = prepareRun({ scenario: findScenario(name)!, seed, bug });
  const { sink, events } = collectTrace();
  const result = executeRun(prepared, sink);
  return { prepared, result, trace: events };
}

/** The JSON embedded in the report, as the page reads it. */
function embedded(html: string): ReportData {
  const match = /<script type="application\/json" id="run-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as ReportData;
}

describe('renderHtmlReport', () => {
  const run = traced('broadcast-lossy', 1, 'broadcast/no-dedup');
  const html = renderHtmlReport({ ...run, replay: REPLAY });

  it('is one self-contained page: no external script, style, image or link', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*rel\s*=\s*["']?stylesheet/i);
    expect(html).not.toMatch(/\s(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    // The page's script is inline: two script elements, the data and the code.
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('carries the run: header, replay line, data, and the elements the page draws into', () => {
    expect(html).toContain(run.result.fingerprint);
    expect(html).toContain(REPLAY);
    expect(html).toContain('SAFETY VIOLATION');
    for (const id of ['timeline', 'message-diagram', 'operations', 'violations', 'checks', 'stats', 'metrics']) expect(html).toContain(`id="${id}"`);
    const data = embedded(html);
    expect(data.run).toMatchObject({ scenario: 'broadcast-lossy', seed: 1, bug: 'broadcast/no-dedup', fingerprint: run.result.fingerprint, outcome: 'safety-violation' });
    expect(data.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    // One arrow per delivery or drop (plus any message still in flight at the end).
    const ends = run.trace.filter((e) => e.type === 'deliver' || e.type === 'drop').length;
    expect(data.messages.total).toBeGreaterThanOrEqual(ends);
    expect(data.messages.embedded).toBe(data.messages.total);
    expect(data.operations).toHaveLength(run.result.simulator.history.operations.length);
    const violation = run.result.checks.find((c) => !c.ok)!;
    expect(data.violations[0]).toMatchObject({ check: 'no-duplicate-delivery', at: violation.atMicros, exact: true });
    expect(html).toContain('class="violation"');
    // The default window shows the first violation.
    expect(data.window[0]).toBeLessThanOrEqual(violation.atMicros!);
    expect(data.window[1]).toBeGreaterThanOrEqual(violation.atMicros!);
    // No wall time in the page.
    expect(html).not.toMatch(/wallMillis|events\/s/);
  });

  it('is byte-identical for the same run, rendered again or run again', () => {
    expect(renderHtmlReport({ ...run, replay: REPLAY })).toBe(html);
    const again = traced('broadcast-lossy', 1, 'broadcast/no-dedup');
    expect(renderHtmlReport({ ...again, replay: REPLAY })).toBe(html);
    const other = traced('broadcast-lossy', 2, 'broadcast/no-dedup');
    expect(renderHtmlReport({ ...other, replay: REPLAY })).not.toBe(html);
  });

  it('builds the replay line the other reports print unless given one', () => {
    expect(renderHtmlReport({ ...run })).toContain(`<code id="replay">${replayCommand(run.prepared)}</code>`);
  });

  it('refuses a run whose trace was not collected', () => {
    expect(() => renderHtmlReport({ ...run, trace: [], replay: REPLAY })).toThrow(/collectTrace/);
  });

  it('escapes data that contains </script> or <!--', () => {
    const evil = '</script><script>alert(1)</script><!-- </SCRIPT >';
    const at = run.trace.find((e) => e.type === 'send')!.at;
    const extra: TraceEvent[] = [
      { type: 'send', at, from: 'n1', to: 'n2', msgId: 1e9, msg: { type: evil, text: evil } },
      { type: 'deliver', at: at + 1_000, from: 'n1', to: 'n2', msgId: 1e9, msg: { type: evil, text: evil } },
    ];
    const page = renderHtmlReport({ ...run, trace: [...run.trace, ...extra], replay: `${REPLAY} '${evil}'` });
    expect(page.match(/<\/script/gi)).toHaveLength(2);
    expect(page).not.toContain('<!--');
    const data = embedded(page);
    expect(data.messages.kinds).toContain(evil);
    expect(data.messages.texts.some((t) => t.includes(evil))).toBe(true);
    expect(page).toContain('&lt;/script&gt;');
    expect(jsonForScript({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });

  it('reports a linearizability verdict and marks the operations a history violation names', () => {
    const raft = traced('raft-lossy', 1, 'raft/no-dedup');
    const data = embedded(renderHtmlReport({ ...raft, replay: 'faultline run raft-lossy --seed 1 --bug raft/no-dedup' }));
    expect(data.linearizability).toMatchObject({ name: 'linearizable-history', ok: false });
    const v = data.violations.find((x) => x.check === 'linearizable-history')!;
    // The checker places the violation at the return of the operation no order can place next.
    expect(v.exact).toBe(true);
    expect(v.operations.length).toBeGreaterThan(0);
    const blockedId = Number((/Next, #(\d+)/.exec(v.message) ?? /^#(\d+)/.exec(v.message))![1]);
    expect(v.operations).toContain(blockedId);
    expect(v.at).toBe(raft.result.simulator.history.operations[blockedId]!.return);
    expect(data.roleNames).toEqual(expect.arrayContaining(['follower', 'candidate', 'leader']));
    expect(data.roles.some((r) => r.role === 'leader')).toBe(true);
  });
});

describe('collectTrace', () => {
  it('keeps every event and passes each on', () => {
    const passed: TraceEvent[] = [];
    const { sink, events } = collectTrace((e) => passed.push(e));
    const result = executeRun(prepareRun({ scenario: findScenario('broadcast-lossy')!, seed: 3 }), sink);
    expect(events.length).toBeGreaterThan(0);
    expect(passed).toEqual(events);
    expect(events.filter((e) => e.type === 'send')).toHaveLength(result.stats.messagesSent);
  });
});

describe('buildReportData', () => {
  const base: ModelInput = {
    scenario: 't', seed: 1, bug: null, nemesis: 'explicit', outcome: 'pass', fingerprint: '0', durationMicros: 1_000,
    nodes: [{ id: 'a', role: 'server' }, { id: 'b', role: 'server' }, { id: 'c', role: 'server' }],
    baseLatency: { kind: 'uniform', baseMicros: 10, jitterMicros: 0 },
    endMicros: 2_000, recovery: { startedAtMicros: 1_000, recoveredAtMicros: 1_100 }, checks: [], operations: [], trace: [],
  };
  const fault = (at: number, f: object, extra: object = {}): TraceEvent => ({ type: 'fault', at, fault: { at, ...f } as never, source: 'schedule', ...extra });

  it('turns crash/restart and pause/resume into intervals, and role observations into role bands', () => {
    const data = buildReportData({
      ...base,
      trace: [
        { type: 'observe', at: 0, node: 'a', fact: { type: 'role', role: 'follower', term: 0 } },
        { type: 'observe', at: 100, node: 'a', fact: { type: 'role', role: 'leader', term: 1 } },
        { type: 'crash', at: 300, node: 'a' },
        { type: 'restart', at: 500, node: 'a' },
        { type: 'pause', at: 200, node: 'b' },
        { type: 'resume', at: 250, node: 'b' },
        { type: 'pause', at: 900, node: 'c' },
      ],
    });
    expect(data.states).toEqual([
      { node: 0, from: 300, to: 500, state: 'crashed' },
      { node: 1, from: 200, to: 250, state: 'paused' },
      { node: 2, from: 900, to: 2_000, state: 'paused' },
    ]);
    expect(data.roles).toEqual([
      { node: 0, from: 0, to: 100, role: 'follower', term: 0 },
      { node: 0, from: 100, to: 300, role: 'leader', term: 1 },
    ]);
  });

  it('opens fault windows and closes them when healed, unclogged, reset or at the end', () => {
    const data = buildReportData({
      ...base,
      trace: [
        fault(100, { kind: 'partition', groups: [['@leader'], ['@rest']] }, { resolved: { at: 100, kind: 'partition', groups: [['a'], ['b', 'c']] } }),
        fault(150, { kind: 'clog', from: ['a'], to: ['b'] }),
        fault(200, { kind: 'loss', ratio: 0.5 }),
        fault(250, { kind: 'clock-skew', node: 'c', offsetMicros: 5 }),
        fault(300, { kind: 'crash', node: '@leader' }, { resolved: null }),
        fault(400, { kind: 'heal' }),
        fault(500, { kind: 'loss', ratio: 0 }),
        fault(1_000, { kind: 'unclog' }, { source: 'recovery' }),
      ],
    });
    expect(data.faults.map(({ kind, from, to, label }) => ({ kind, from, to, label }))).toEqual([
      { kind: 'partition', from: 100, to: 400, label: 'a cut off from b, c' },
      { kind: 'clog', from: 150, to: 1_000, label: 'hold messages from a to b' },
      { kind: 'loss', from: 200, to: 500, label: 'lose 50% of messages on every link' },
      { kind: 'clock-skew', from: 250, to: 2_000, label: "c's clock jumps +5us" },
    ]);
    // Overlapping windows get different lanes.
    expect(new Set(data.faults.map((f) => f.lane)).size).toBe(4);
  });

  it('pairs sends with deliveries and drops: duplicates and drops are their own arrows', () => {
    const data = buildReportData({
      ...base,
      trace: [
        { type: 'send', at: 10, from: 'a', to: 'b', msgId: 0, msg: { type: 'ping', n: 1 } },
        { type: 'send', at: 20, from: 'b', to: 'c', msgId: 1, msg: { type: 'pong' } },
        { type: 'drop', at: 20, from: 'b', to: 'c', msgId: 1, reason: 'loss' },
        { type: 'deliver', at: 30, from: 'a', to: 'b', msgId: 0, msg: { type: 'ping', n: 1 } },
        { type: 'deliver', at: 35, from: 'a', to: 'b', msgId: 0, msg: { type: 'ping', n: 1 } },
        { type: 'send', at: 40, from: 'c', to: 'a', msgId: 2, msg: 'raw' },
      ],
    });
    const m = data.messages;
    expect(m.sent).toEqual([10, 10, 20, 40]);
    expect(m.end).toEqual([30, 35, 20, 2_000]);
    expect(m.fate).toEqual([0, 1, 2, 3]);
    expect(m.kinds).toEqual(['ping', 'pong', 'string']);
    expect(m.reasons).toEqual(['loss']);
    expect(m.texts[m.text[0]!]).toBe('{"type":"ping","n":1}');
  });
});

describe('summarise', () => {
  it('cuts long arrays and strings but stays valid JSON within the budget', () => {
    const big = { type: 'append', entries: Array.from({ length: 500 }, (_, i) => ({ term: i, command: { op: 'put', value: 'x'.repeat(200) } })) };
    const text = summarise(big, 360);
    expect(text.length).toBeLessThanOrEqual(360);
    const parsed = JSON.parse(text) as { type: string; entries: unknown[] };
    expect(parsed.type).toBe('append');
    expect(parsed.entries.at(-1)).toMatch(/more/);
    expect(summarise({ a: 1 }, 360)).toBe('{"a":1}');
  });
});
