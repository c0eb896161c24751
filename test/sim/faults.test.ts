// Fault schedules: hand-written files are validated with errors naming the entry and field, and a
// normalised schedule parses back to itself (so recorded schedules replay exactly).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/errors.js';
import { describeFault, parseFaultSchedule } from '../../sim/faults.js';
import { NODES5, scheduleArb } from '../helpers.js';

const parse = (raw: unknown) => parseFaultSchedule(raw, NODES5, 10_000_000, 'f.json');

describe('parseFaultSchedule', () => {
  it('a valid schedule round-trips through JSON unchanged', () => {
    fc.assert(fc.property(scheduleArb(10_000_000), (schedule) => {
      const once = parse(JSON.parse(JSON.stringify(schedule)));
      expect(parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
      expect(once.map((e) => e.at)).toEqual(schedule.map((e) => e.at));
    }));
  });

  it('accepts durations for at, single node names for link lists, and a run result object', () => {
    const out = parse({ faults: [{ at: '1.5s', kind: 'clog', from: 'n1', to: ['n2'] }, { at: 0, kind: 'heal' }] });
    expect(out).toEqual([{ at: 0, kind: 'heal' }, { at: 1_500_000, kind: 'clog', from: ['n1'], to: ['n2'] }]);
    expect(out.map(describeFault)).toEqual(['heal every partition', 'hold messages from n1 to n2']);
  });

  const cases: [string, unknown, RegExp][] = [
    ['not a list', { nope: 1 }, /expected a JSON array/],
    ['unknown kind', [{ at: 0, kind: 'meteor' }], /fault #1: kind must be one of/],
    ['negative time', [{ at: -5, kind: 'heal' }], /fault #1 \(heal\): at must be a non-negative integer/],
    ['bad duration', [{ at: 'soon', kind: 'heal' }], /at must be microseconds or a duration/],
    ['after the fault phase', [{ at: 20_000_000, kind: 'heal' }], /not inside the fault phase/],
    ['unknown node', [{ at: 0, kind: 'crash', node: 'n9' }], /node must name a cluster node/],
    ['missing node', [{ at: 0, kind: 'pause' }], /node must name a cluster node/],
    ['ratio out of range', [{ at: 0, kind: 'loss', ratio: 1.5 }], /ratio must be a number from 0 to 1/],
    ['one group', [{ at: 0, kind: 'partition', groups: [['n1']] }], /at least two node lists/],
    ['node in two groups', [{ at: 0, kind: 'partition', groups: [['n1'], ['n1', 'n2']] }], /more than one group/],
    ['partition without sides', [{ at: 0, kind: 'partition' }], /give either groups/],
    ['unknown field', [{ at: 0, kind: 'heal', when: 'now' }], /unknown field 'when'/],
    ['bad latency', [{ at: 0, kind: 'delay', latency: { kind: 'gauss' } }], /latency kind must be/],
    ['fractional skew', [{ at: 0, kind: 'clock-skew', node: 'n1', offsetMicros: 1.5 }], /offsetMicros must be an integer/],
    ['absurd drift', [{ at: 0, kind: 'clock-drift', node: 'n1', ppm: 10_000_000 }], /ppm must be an integer from/],
    ['slow below 1', [{ at: 0, kind: 'slow', node: 'n1', factor: 0.5 }], /fault #1 \(slow\): factor must be a number from 1 \(normal speed\) to 1000; got 0.5/],
    ['slow without a factor', [{ at: 0, kind: 'slow', node: 'n1' }], /factor must be a number from 1 .* got undefined/],
    ['slow factor as text', [{ at: 0, kind: 'slow', node: 'n1', factor: '3' }], /factor must be a number from 1 .* got "3"/],
    ['absurd slow factor', [{ at: 0, kind: 'slow', node: 'n1', factor: 5_000 }], /factor must be a number from 1 \(normal speed\) to 1000; got 5000/],
    ['slow without a node', [{ at: 0, kind: 'slow', factor: 2 }], /node must name a cluster node/],
    ['slow with a link field', [{ at: 0, kind: 'slow', node: 'n1', factor: 2, from: ['n2'] }], /unknown field 'from' \(allowed: at, kind, node, factor, as\)/],
    ['fail-fast above 1', [{ at: 0, kind: 'fail-fast', node: 'n1', ratio: 1.5 }], /fault #1 \(fail-fast\): ratio must be a number from 0 \(serve every request\) to 1 \(fail every request at once\); got 1.5/],
    ['fail-fast without a ratio', [{ at: 0, kind: 'fail-fast', node: 'n1' }], /ratio must be a number from 0 .* got undefined/],
    ['fail-fast ratio as text', [{ at: 0, kind: 'fail-fast', node: 'n1', ratio: '1' }], /ratio must be a number from 0 .* got "1"/],
    ['fail-fast without a node', [{ at: 0, kind: 'fail-fast', ratio: 1 }], /node must name a cluster node/],
    ['second entry names the index', [{ at: 0, kind: 'heal' }, { at: 0, kind: 'crash', node: 'x' }], /fault #2 \(crash\)/],
  ];
  for (const [name, raw, message] of cases) {
    it(`rejects ${name} with one line naming the problem`, () => {
      let error: unknown;
      try { parse(raw); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }
});

describe('node references in schedules', () => {
  it('accepts @leader, @follower, @rest in groups, and $NAME bound by an earlier "as"', () => {
    const out = parse([
      { at: 0, kind: 'crash', node: '@leader', as: 'L' },
      { at: 5, kind: 'restart', node: '$L' },
      { at: 6, kind: 'partition', groups: [['@leader', '@follower'], ['@rest']] },
      { at: 7, kind: 'partition', from: ['n1', 'n2'], to: ['@leader'] },
    ]);
    expect(out[0]).toEqual({ at: 0, kind: 'crash', node: '@leader', as: 'L' });
    expect(out[1]).toEqual({ at: 5, kind: 'restart', node: '$L' });
  });

  it('rejects an unbound $NAME, a bad binding name, and @rest outside groups', () => {
    expect(() => parse([{ at: 0, kind: 'restart', node: '$X' }])).toThrow(/node must name/);
    expect(() => parse([{ at: 0, kind: 'crash', node: 'n1', as: '9 lives' }])).toThrow(/as must be a name/);
    expect(() => parse([{ at: 0, kind: 'clog', from: ['@rest'] }])).toThrow(/names unknown node "@rest"/);
  });
});

describe('describeFault: faults in words', () => {
  const cases: [unknown, string][] = [
    [{ at: 0, kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] }, 'n1, n2 cut off from n3, n4, n5'],
    [{ at: 0, kind: 'partition', groups: [['n1'], ['n2'], ['n3', 'n4', 'n5']] }, 'split into n1 | n2 | n3, n4, n5'],
    [{ at: 0, kind: 'partition', groups: [['@leader'], ['@rest']] }, 'the leader cut off from the rest'],
    [{ at: 0, kind: 'partition', from: ['n3', 'n1'], to: ['n5'] }, 'n1, n3 cannot send to n5'],
    [{ at: 0, kind: 'partition', from: ['n1', 'n3', 'n5', 'n2'], to: ['n1', 'n3', 'n5', 'n2'] }, 'n1, n2, n3, n5 cannot send to one another'],
    [{ at: 0, kind: 'heal' }, 'heal every partition'],
    [{ at: 0, kind: 'crash', node: 'n3' }, 'crash n3'],
    [{ at: 0, kind: 'crash', node: '@leader', as: 'L' }, 'crash the leader (as $L)'],
    [{ at: 0, kind: 'restart', node: 'n4' }, 'restart n4'],
    [{ at: 0, kind: 'pause', node: '@follower' }, 'pause a follower'],
    [{ at: 0, kind: 'resume', node: 'n2' }, 'resume n2'],
    [{ at: 0, kind: 'clog', from: ['n1'], to: ['n2', 'n3'] }, 'hold messages from n1 to n2, n3'],
    [{ at: 0, kind: 'unclog', from: ['n1'] }, 'release messages held from n1'],
    [{ at: 0, kind: 'unclog' }, 'release messages held on every link'],
    [{ at: 0, kind: 'loss', ratio: 0.2, to: ['n4'] }, 'lose 20% of messages to n4'],
    [{ at: 0, kind: 'loss', ratio: 0 }, 'stop losing messages on every link'],
    [{ at: 0, kind: 'duplicate', ratio: 0.125 }, 'duplicate 12.5% of messages on every link'],
    [{ at: 0, kind: 'duplicate', ratio: 0 }, 'stop duplicating messages on every link'],
    [{ at: 0, kind: 'delay', latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 4_000 }, from: ['n1'] }, 'delay messages from n1 by 1ms + up to 4ms'],
    [
      { at: 0, kind: 'delay', latency: { kind: 'pareto', baseMicros: 1_000, scaleMicros: 16_000, shape: 1.2, maxMicros: 1_000_000 } },
      'delay messages on every link by 1ms + a Pareto tail (scale 16ms, shape 1.2, at most 1s)',
    ],
    [{ at: 0, kind: 'clock-skew', node: 'n2', offsetMicros: 955_000 }, "n2's clock jumps +955ms"],
    [{ at: 0, kind: 'clock-skew', node: 'n2', offsetMicros: -1_250_000 }, "n2's clock jumps -1.25s"],
    [{ at: 0, kind: 'clock-drift', node: '@leader', ppm: 200 }, "the leader's clock drifts +200ppm"],
    [{ at: 0, kind: 'clock-drift', node: 'n1', ppm: -50_000 }, "n1's clock drifts -50,000ppm"],
    [{ at: 0, kind: 'slow', node: 'n3', factor: 5 }, 'n3 runs 5× slower'],
    [{ at: 0, kind: 'slow', node: 'n3', factor: 2.5 }, 'n3 runs 2.5× slower'],
    [{ at: 0, kind: 'slow', node: 'n3', factor: 1 }, 'n3 runs at normal speed again'],
    [{ at: 0, kind: 'fail-fast', node: 'n3', ratio: 1 }, 'n3 fails every request at once'],
    [{ at: 0, kind: 'fail-fast', node: 'n3', ratio: 0.25 }, 'n3 fails 25% of requests at once'],
    [{ at: 0, kind: 'fail-fast', node: 'n3', ratio: 0 }, 'n3 serves its requests again'],
  ];
  for (const [raw, words] of cases) {
    it(words, () => {
      expect(parse([raw]).map(describeFault)).toEqual([words]);
    });
  }

  it('a bound name stays as written', () => {
    const out = parse([{ at: 0, kind: 'crash', node: '@leader', as: 'L' }, { at: 1, kind: 'restart', node: '$L' }]);
    expect(out.map(describeFault)).toEqual(['crash the leader (as $L)', 'restart $L']);
  });
});

describe('slow', () => {
  const members = { nodes: ['n1', 'n2', 'n3'].map((id) => ({ id, role: 'member' })), stateRoles: [] };
  it('takes role references and bindings as pause does, and round-trips', () => {
    const raw = [
      { at: '1s', kind: 'slow', node: '@member:any', as: 'S', factor: 8 },
      { at: '3s', kind: 'slow', node: '$S', factor: 1 },
    ];
    const out = parseFaultSchedule(raw, members, 10_000_000, 'f.json');
    expect(out).toEqual([
      { at: 1_000_000, kind: 'slow', node: '@member:any', factor: 8, as: 'S' },
      { at: 3_000_000, kind: 'slow', node: '$S', factor: 1 },
    ]);
    expect(parseFaultSchedule(JSON.parse(JSON.stringify(out)), members, 10_000_000, 'f.json')).toEqual(out);
    expect(out.map(describeFault)).toEqual(['one member (at random) runs 8× slower (as $S)', '$S runs at normal speed again']);
  });

  it('a node field naming a whole role of several nodes is refused', () => {
    expect(() => parseFaultSchedule([{ at: 0, kind: 'slow', node: '@member', factor: 2 }], members, 10_000_000, 'f.json'))
      .toThrow(/node @member names 3 nodes \(n1, n2, n3\); use @member:any/);
  });
});
