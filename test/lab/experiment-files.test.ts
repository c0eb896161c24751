// Every experiment file shipped in experiments/ (found at test time, however many there are) parses,
// is named after its file, validates against its scenario(s) and names metrics they measure; a broken
// file fails the same check (proved on copies of the test fixture, broken one way each).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareExperiment } from '../../lab/experiment.js';
import { experimentsDir, readExperimentFile, shippedExperimentNames, shippedExperimentPath } from '../../lab/experiment-file.js';
import { InputError } from '../../sim/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, '../fixtures/experiment-small.json');

/** The check every shipped file must pass: it reads, its name is its file's, and every grid point and metric validates. */
function checkExperimentFile(path: string, expectedName?: string): void {
  const file = readExperimentFile(path);
  if (expectedName !== undefined && file.name !== expectedName) throw new InputError(`${path}: name ${file.name} is not the file's name ${expectedName}`);
  prepareExperiment(file, { path }, { workers: 1 });
}

describe('shipped experiment files', () => {
  it('are found beside the package, wherever the tests run from', () => {
    expect(experimentsDir()).toBe(join(ROOT, 'experiments'));
    const onDisk = (() => {
      try {
        return readdirSync(join(ROOT, 'experiments')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
      } catch {
        return [];
      }
    })();
    expect(shippedExperimentNames()).toEqual(onDisk);
  });

  it.each(shippedExperimentNames().map((name) => [name]))('%s parses, validates against its scenario and names real metrics', (name) => {
    expect(() => checkExperimentFile(shippedExperimentPath(name)!, name)).not.toThrow();
  });

  it('the check passes the fixture and fails a file broken in any one way', () => {
    expect(() => checkExperimentFile(FIXTURE, 'experiment-small')).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'faultline-experiment-files-'));
    const good = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
    const broken: [string, (f: Record<string, unknown>) => unknown, RegExp][] = [
      ['unknown metric', (f) => ({ ...f, metrics: ['timeWithoutLeader'] }), /experiment-small\.json: metrics timeWithoutLeader: no such metric/],
      ['unknown parameter', (f) => ({ ...f, vary: ['electionTimeout=1s,2s'] }), /vary electionTimeout=1s,2s: unknown parameter/],
      ['unknown scenario', (f) => ({ ...f, scenario: 'raft-leader-crsh' }), /unknown scenario 'raft-leader-crsh'/],
      ['missing title', (f) => ({ ...f, title: undefined }), /title: expected a non-empty string/],
      ['misspelt field', (f) => ({ ...f, metric: f.metrics }), /metric: unknown field/],
      ['reference to no point', (f) => ({ ...f, references: [{ point: { electionTimeoutMicrosMax: '1s' }, metric: 'leaderElectionMicros', stat: 'median', value: 1, source: 's' }] }), /matches no grid point/],
      ['labels of the wrong count', (f) => ({ ...f, vary: [{ vary: 'clients=1,2', labels: ['one'] }] }), /1 labels for 2 values/],
      ['name not the file\'s', (f) => ({ ...f, name: 'other' }), /is not the file's name/],
      // JSON.stringify cannot write 1e999 (it is Infinity), so this one is text.
      ['a reference value too large for a double', (f) => JSON.stringify(f).replace('"value":"200ms"', '"value":1e999'), /experiment-small\.json: references\[0\]\.value: expected a finite number/],
    ];
    for (const [what, breakIt, message] of broken) {
      const path = join(dir, 'experiment-small.json');
      const broke = breakIt(good);
      writeFileSync(path, typeof broke === 'string' ? broke : JSON.stringify(broke));
      expect(() => checkExperimentFile(path, 'experiment-small'), what).toThrow(message);
    }
    writeFileSync(join(dir, 'bad.json'), '{"title": ');
    expect(() => checkExperimentFile(join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
  });
});
