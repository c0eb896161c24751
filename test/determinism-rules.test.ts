// Determinism is the product: sim/, algorithms/, scenarios/ and playground/ never reach for ambient time,
// timers or randomness. This test reads their sources and fails on any such call outside comments.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// playground/ runs in the browser. Its page code (client.ts) paces playback by requestAnimationFrame's
// timestamp, which this scan allows: that decides how far to simulate, never what happens. Nothing in the
// folder is exempt; a page file that needs a banned call should be named here, alone, with its reason.
const ROOTS = ['sim', 'algorithms', 'scenarios', 'playground'];
const BANNED: [string, RegExp][] = [
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['Date', /\bDate\s*[.(]|\bnew\s+Date\b/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['setTimeout', /\bsetTimeout\s*\(/],
  ['setInterval', /\bsetInterval\s*\(/],
  ['setImmediate', /\bsetImmediate\s*\(/],
  ['crypto.random*', /\bcrypto\s*\.\s*random|\brandom(Bytes|Int|UUID|Fill)\b/],
  ['process.hrtime', /\bprocess\s*\.\s*hrtime\b/],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Blanks out comments and string contents so that only code is searched. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, "''");
}

export function findViolations(files: { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    codeOnly(text).split('\n').forEach((line, i) => {
      for (const [name, pattern] of BANNED) if (pattern.test(line)) found.push(`${path}:${i + 1}: ${name}`);
    });
  }
  return found;
}

describe('determinism rules', () => {
  it('no ambient time, timers or randomness in sim/, algorithms/, scenarios/, playground/', () => {
    const files = ROOTS.flatMap(sources).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(10);
    expect(findViolations(files)).toEqual([]);
  });

  it('the scan catches each banned call, and ignores comments', () => {
    const planted = [
      'const x = Math.random();', 'const t = Date.now();', 'const d = new Date();', 'performance.now()',
      'setTimeout(f, 1)', 'setInterval(f, 1)', 'crypto.randomUUID()', 'const [s] = process.hrtime();',
    ];
    for (const line of planted) expect(findViolations([{ path: 'x.ts', text: line }]), line).toHaveLength(1);
    expect(findViolations([{ path: 'x.ts', text: '// Math.random() is banned\n/* Date.now() */' }])).toEqual([]);
  });
});
