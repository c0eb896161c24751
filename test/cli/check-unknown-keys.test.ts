// `faultline check --json` when the budget runs out: verdict unknown, exit 3, and the undecided keys listed
// (unknownKeys); the terminal summary names them too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from './cli-helpers.js';
import { generateHistory, realisticShape } from '../../sim/check/generate-history.js';
import { Rng } from '../../sim/rng.js';

const { work, faultline } = cliWorkspace('check-unknown-keys');
const history = generateHistory(realisticShape('kv-porcupine', 20_000), Rng.fromSeed(4));
writeFileSync(join(work, 'big.json'), JSON.stringify({ model: 'kv', operations: history }));

describe('faultline check: undecided keys', () => {
  it('--json lists unknownKeys, every one a key of the history; without --json the summary names them', () => {
    const r = faultline('check', 'big.json', '--timeout', '1us', '--json');
    expect(r.status).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('unknown');
    expect(out.unknownKeys.length).toBeGreaterThan(0);
    const keys = new Set(history.map((op) => op.input.key));
    for (const key of out.unknownKeys) expect(keys.has(key)).toBe(true);
    const text = faultline('check', 'big.json', '--timeout', '1us');
    expect(text.status).toBe(3);
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`undecided (the search budget ran out): key${out.unknownKeys.length === 1 ? '' : 's'} ${out.unknownKeys.slice(0, 10).join(', ')}`);
  });

  it('a decided history has no unknownKeys', () => {
    const small = generateHistory(realisticShape('kv-porcupine', 300), Rng.fromSeed(4));
    writeFileSync(join(work, 'small.json'), JSON.stringify({ model: 'kv', operations: small }));
    const out = JSON.parse(faultline('check', 'small.json', '--json').stdout);
    expect(out.verdict).toBe('linearizable');
    expect(out).not.toHaveProperty('unknownKeys');
  });
});
