// A playground session's replay file: `faultline replay` on it reproduces the session's fingerprint and
// outcome (through the CLI), its input digests match what the CLI computes (so replay sees no edit), the
// pure SHA-256 digests equal node:crypto's, and the modules the page bundles import nothing from node.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { digestOf } from '../../lab/replay-file-data.js';
import { sessionReplayText } from '../../playground/replay.js';
import { PlaygroundSession } from '../../playground/session.js';
import { findScenario } from '../../scenarios/index.js';
import { ms } from '../../sim/time.js';

const { work, faultline } = cliWorkspace('playground-replay');
const ROOT = resolve(import.meta.dirname, '../..');

/** Every module a source file reaches through relative imports, with its bare (package) imports. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [resolve(ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
      const spec = match[1]!;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('the replay file of a playground session', () => {
  it('faultline replay reproduces the session, actions included', () => {
    for (const [name, seed, bug] of [['raft-leader-crash', 1, undefined], ['raft-lossy', 4, 'raft/no-dedup']] as const) {
      const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: ms(2_000), ...(bug ? { bug } : {}) });
      session.seek(ms(700));
      session.act('crash', 'n2');
      session.seek(ms(1_100));
      session.act('restart', 'n2');
      session.seek(ms(1_300));
      session.act('pause', 'n4');
      const result = session.runToEnd();
      const path = join(work, `${name}.json`);
      writeFileSync(path, sessionReplayText(session, '0.0.0-test'));
      const replayed = faultline('replay', path, '--json');
      const json = JSON.parse(replayed.stdout) as { fingerprint: string; outcome: string; reproduced: boolean; edited: boolean };
      expect(json.fingerprint).toBe(result.fingerprint);
      expect(json.outcome).toBe(result.outcome);
      expect(json.reproduced).toBe(true);
      expect(json.edited).toBe(false);
      expect(replayed.status).toBe({ pass: 0, 'safety-violation': 1, 'liveness-violation': 3 }[result.outcome]);
    }
  }, 60_000);

  it('digests as node:crypto computes them', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalize(value) ?? 'undefined';
      expect(digestOf(value)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 16));
    }), { numRuns: 300 });
  });

  it('the session, its replay file, the opening of files and the node views import nothing from node', () => {
    for (const entry of ['playground/session.ts', 'playground/replay.ts', 'playground/open-file.ts', 'playground/view-index.ts', 'playground/node-views.ts']) {
      const { files, packages } = importGraph(entry);
      expect(files.length).toBeGreaterThan(5);
      expect([...packages].filter((p) => p.startsWith('node:') || !['canonicalize', '@noble/hashes/sha2.js', '@noble/hashes/utils.js', 'leven'].includes(p))).toEqual([]);
      expect(files.filter((f) => f.includes(`${ROOT}/lab/`) && !f.endsWith('replay-file-data.ts'))).toEqual([]);
    }
  });
});
