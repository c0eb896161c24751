// Every kind of bad input the faultline command handles, run end to end: each must print exactly one
// line on stderr naming the problem, exit 2, print nothing on stdout and leave its folder as it was.
// The same catalogue is README's "Bad input" table: this test fails when the two differ, and
// `npm run readme:bad-input` rewrites the table from the catalogue.
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './cli-helpers.js';

interface BadInput {
  /** What is wrong, as README's first column says it. */
  readonly what: string;
  /** `faultline` arguments, run in a fresh folder prepared by `setup`. */
  readonly args: readonly string[];
  readonly setup?: (dir: string) => void;
}

const replayFile = (overrides: Record<string, unknown>) => (dir: string) => {
  const file = {
    format: 'faultline-replay/1', faultline: '0.1.0', scenario: 'broadcast-lossy', seed: 1, bug: null, nodes: 5,
    durationMicros: 1_000_000, params: {}, nemesis: 'explicit', faults: [],
    expected: { outcome: 'pass', fingerprint: '0000000000000000', violated: [] },
    ...overrides,
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(file));
};

/** The catalogue, in README's order: flags, scenario inputs, files read, files written, sweeps, histories. */
const CASES: readonly BadInput[] = [
  { what: 'misspelt option', args: ['run', 'broadcast-chaos', '--sed', '1'] },
  { what: 'unknown verb', args: ['rnu', 'broadcast-chaos'] },
  { what: 'missing argument', args: ['run'] },
  { what: 'seed out of range', args: ['run', 'broadcast-chaos', '--seed', '4294967296'] },
  { what: 'seed not an integer', args: ['run', 'broadcast-chaos', '--seed', 'abc'] },
  { what: 'duration without a unit', args: ['run', 'broadcast-chaos', '--seed', '1', '--duration', '10'] },
  { what: 'node count not a number', args: ['run', 'broadcast-chaos', '--seed', '1', '--nodes', 'five'] },
  { what: 'node count outside the scenario\'s range', args: ['run', 'raft-chaos', '--seed', '1', '--nodes', '99'] },
  { what: 'unknown nemesis profile', args: ['run', 'broadcast-chaos', '--seed', '1', '--nemesis', 'storm'] },
  { what: 'unknown scenario', args: ['run', 'raft-chaoss', '--seed', '1'] },
  { what: 'unknown scenario, nothing close', args: ['run', 'zzz', '--seed', '1'] },
  { what: 'unknown planted bug', args: ['run', 'raft-chaos', '--seed', '1', '--bug', 'raft/comit-old-term'] },
  { what: 'unknown parameter', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'electionTimeout=1s'] },
  { what: '`--set` without `=`', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'clients'] },
  { what: 'parameter of the wrong unit', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'heartbeatMicros=fast'] },
  { what: 'ratio above 1', args: ['run', 'broadcast-lossy', '--seed', '1', '--set', 'lossRatio=150%'] },
  { what: 'a min above its max', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'electionTimeoutMicrosMin=500ms'] },
  { what: 'a max below its min', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'nemesisWindowMicrosMin=4s', '--set', 'nemesisWindowMicrosMax=3s'] },
  { what: 'a heartbeat longer than the shortest election timeout', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'heartbeatMicros=200ms'] },
  { what: 'planted bug of another failure detector', args: ['run', 'fd-crash', '--seed', '1', '--bug', 'fd/phi-no-min-std-deviation'] },
  { what: 'heartbeat timeout not above the interval', args: ['run', 'fd-crash', '--seed', '1', '--set', 'detector=heartbeat', '--set', 'heartbeatTimeoutMicros=100ms'] },
  { what: 'SWIM ping timeout not below the protocol period', args: ['run', 'fd-crash', '--seed', '1', '--set', 'pingTimeoutMicros=200ms'] },
  { what: 'swim-large with another detector', args: ['run', 'swim-large', '--seed', '1', '--set', 'detector=heartbeat'] },
  { what: 'health-check timeout not below the interval', args: ['run', 'lb-steady', '--seed', '1', '--set', 'healthTimeoutMicros=1s'] },
  { what: 'health judged by phi without health checks', args: ['run', 'lb-backend-crash', '--seed', '1', '--set', 'healthDetector=phi', '--set', 'healthChecks=off'] },
  { what: 'a sharded store with W above R', args: ['run', 'hash-join-leave', '--seed', '1', '--set', 'writeQuorum=4'] },
  { what: 'a Maglev table size that is not a prime above the storage nodes', args: ['run', 'hash-join-leave', '--seed', '1', '--set', 'placement=maglev', '--set', 'tableSize=1000'] },
  { what: 'a planted ring bug with another placement', args: ['run', 'hash-join-leave', '--seed', '1', '--bug', 'hash/ring-by-arrival', '--set', 'placement=jump'] },
  { what: 'a membership scenario that can change nothing', args: ['run', 'hash-join-leave', '--seed', '1', '--nodes', '3', '--set', 'spares=0'] },
  { what: 'a planted bug of another commit protocol', args: ['run', '2pc-chaos', '--seed', '1', '--bug', 'commit/paxos-quorum-off-by-one'] },
  { what: 'duration above the maximum', args: ['run', 'raft-chaos', '--seed', '1', '--duration', '25h'] },
  { what: 'duration parameter above the maximum', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'recoveryMicrosMax=25h'] },
  { what: 'node count a staged script cannot use', args: ['run', 'raft-figure-8', '--seed', '1', '--nodes', '7'] },
  { what: 'misspelt parameter', args: ['run', 'raft-chaos', '--seed', '1', '--set', 'heartbeatMicro=1ms'] },
  { what: '`--scenarios` module missing', args: ['run', '--scenarios', './missing.js', 'counter-crashes', '--seed', '1'] },
  { what: '`--scenarios` module exporting no scenarios', args: ['run', '--scenarios', './none.mjs', 'counter-crashes', '--seed', '1'], setup: (d) => writeFileSync(join(d, 'none.mjs'), 'export const x = 1;\n') },
  { what: 'fault file missing', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'nope.json'] },
  { what: 'fault file not JSON', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1,') },
  { what: 'fault of an unknown kind', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "meteor"}]') },
  { what: 'fault naming an unknown node', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "crash", "node": "n9"}]') },
  { what: 'fault naming an unknown role', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "partition", "groups": [["@backend"], ["@rest"]]}]') },
  { what: 'trigger whose entry has `at`', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 0, "kind": "on-fact", "fact": "vote", "then": [{"at": 5, "kind": "crash", "node": "$fact"}]}]') },
  { what: 'message trigger with an unknown action', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 0, "kind": "on-message", "type": "append", "action": "explode"}]') },
  { what: 'fault naming `@leader` in a scenario without a leader', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "crash", "node": "@leader"}]') },
  { what: 'fault naming a whole role where one node is needed', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "crash", "node": "@server"}]') },
  { what: '`fail-fast` ratio above 1 (or not a number, or below 0)', args: ['run', 'lb-steady', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "fail-fast", "node": "b2", "ratio": 2}]') },
  { what: '`slow` factor below 1 (or not a number, or above 1000)', args: ['run', 'broadcast-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "slow", "node": "n2", "factor": 0.5}]') },
  { what: 'malformed role reference', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "pause", "node": "@server:some"}]') },
  { what: 'request to a node that takes none (not a client)', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "request", "node": "n1"}]') },
  { what: 'request with an operation its client refuses', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "request", "node": "c1", "op": {"op": "put", "key": "k1"}}]') },
  { what: 'request naming a node known only during the run', args: ['run', 'raft-chaos', '--seed', '1', '--faults', 'faults.json'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "request", "node": "@leader"}]') },
  { what: 'control characters in a file (escaped, not printed)', args: ['replay', 'run.json'], setup: replayFile({ scenario: '\u001b[2Jraft' }) },
  { what: 'replay file of another format', args: ['replay', 'run.json'], setup: replayFile({ format: 'something-else' }) },
  { what: 'replay file with a bad parameter', args: ['replay', 'run.json'], setup: replayFile({ params: { lossRatio: 'many' } }) },
  { what: 'replay file naming an unknown bug', args: ['replay', 'run.json'], setup: replayFile({ bug: 'broadcast/nope' }) },
  { what: 'replay file with a malformed input digest', args: ['replay', 'run.json'], setup: replayFile({ expected: { outcome: 'pass', fingerprint: '0000000000000000', violated: [], inputs: { seed: 'x' } } }) },
  { what: 'shrink of a run that passes', args: ['shrink', 'run.json'], setup: replayFile({}) },
  { what: '`--max-attempts` not positive', args: ['shrink', 'run.json', '--max-attempts', '0'], setup: replayFile({}) },
  { what: 'output that is a FIFO', args: ['run', 'broadcast-chaos', '--seed', '1', '--save', 'pipe'], setup: (d) => execFileSync('mkfifo', [join(d, 'pipe')]) },
  { what: 'output that is a directory', args: ['run', 'broadcast-chaos', '--seed', '1', '--trace', 'dir'], setup: (d) => mkdirSync(join(d, 'dir')) },
  { what: 'output in a missing directory', args: ['run', 'broadcast-chaos', '--seed', '1', '--report', 'nodir/r.html'] },
  { what: 'two outputs naming one file', args: ['run', 'broadcast-chaos', '--seed', '1', '--save', 'a.json', '--report', 'a.json'] },
  { what: 'standard output taken twice', args: ['run', 'broadcast-chaos', '--seed', '1', '--report', '-', '--json'] },
  { what: 'shrink whose output is a FIFO', args: ['shrink', 'run.json'], setup: (d) => { replayFile({ expected: { outcome: 'safety-violation', fingerprint: '0000000000000000', violated: [{ name: 'x', kind: 'always' }] } })(d); execFileSync('mkfifo', [join(d, 'run.min.json')]); } },
  { what: 'seed range backwards', args: ['sweep', 'broadcast-chaos', '--seeds', '10..1'] },
  { what: 'shard outside 1..n', args: ['sweep', 'broadcast-chaos', '--seeds', '1..10', '--shard', '5/4'] },
  { what: '`--workers 0`', args: ['sweep', 'broadcast-chaos', '--seeds', '1..10', '--workers', '0'] },
  { what: '`--workers` above 4 per core', args: ['sweep', 'broadcast-chaos', '--seeds', '1..10', '--workers', '1000'] },
  { what: '`--out` holding a finished sweep', args: ['sweep', 'broadcast-chaos', '--seeds', '1..2', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'out')); writeFileSync(join(d, 'out', 'summary.json'), '{}'); } },
  { what: '`--out` under a regular file', args: ['sweep', 'broadcast-chaos', '--seeds', '1..2', '--out', 'afile/sub'], setup: (d) => writeFileSync(join(d, 'afile'), 'x') },
  { what: 'merge of a folder that is not a sweep', args: ['merge', 'empty'], setup: (d) => mkdirSync(join(d, 'empty')) },
  { what: 'explore: budget not a duration', args: ['explore', 'raft-chaos', '--budget', 'soon'] },
  { what: 'explore: `--runs 0`', args: ['explore', 'raft-chaos', '--runs', '0'] },
  { what: 'explore: `--out` under a regular file', args: ['explore', 'raft-chaos', '--runs', '1', '--out', 'afile/sub'], setup: (d) => writeFileSync(join(d, 'afile'), 'x') },
  { what: 'experiment: unknown parameter in `--vary`', args: ['experiment', 'raft-leader-crash', '--vary', 'electionTimeoutMicrosMx=200ms,300ms', '--seeds', '1..3'] },
  { what: 'experiment: `--vary` value of the wrong unit', args: ['experiment', 'raft-leader-crash', '--vary', 'heartbeatMicros=50ms,fast', '--seeds', '1..3'] },
  { what: 'experiment: no `--vary` (empty grid)', args: ['experiment', 'raft-leader-crash', '--seeds', '1..3'] },
  { what: 'experiment: `--vary` value with no values', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=', '--seeds', '1..3'] },
  { what: 'experiment: joint value with the wrong number of parts', args: ['experiment', 'raft-leader-crash', '--vary', 'electionTimeoutMicrosMin,electionTimeoutMicrosMax=150ms:155ms,150ms', '--seeds', '1..3'] },
  { what: 'experiment: one parameter on two axes', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1,2', '--vary', 'clients=3', '--seeds', '1..3'] },
  { what: 'experiment: range with a step of 0', args: ['experiment', 'raft-leader-crash', '--vary', 'heartbeatMicros=10ms..50ms/0ms', '--seeds', '1..3'] },
  { what: 'experiment: range stepping away from its end', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=5..1/1', '--seeds', '1..3'] },
  { what: 'experiment: range without a step', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1..5', '--seeds', '1..3'] },
  { what: 'experiment: a min above its max at a grid point', args: ['experiment', 'raft-leader-crash', '--vary', 'electionTimeoutMicrosMin=150ms,400ms', '--seeds', '1..3'] },
  { what: 'experiment: unknown metric', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1,2', '--seeds', '1..3', '--metric', 'leaderElection'] },
  { what: 'experiment: grid too big', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1..100/1', '--seeds', '1..1000000'] },
  { what: 'experiment: no `--seeds` with a scenario', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1,2'] },
  { what: 'experiment: unknown scenario or experiment', args: ['experiment', 'raft-leader-crsh', '--vary', 'clients=1,2', '--seeds', '1..3'] },
  { what: 'experiment file not JSON', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title": ') },
  { what: 'experiment file with an unknown field', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"],"metric":"x"}') },
  { what: 'experiment file reference matching no grid point', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"],"references":[{"point":{"clients":"3"},"metric":"leaderElectionMicros","stat":"median","value":"200ms","source":"a paper"}]}') },
  { what: 'experiment file with `--vary`', args: ['experiment', 'e.json', '--vary', 'clients=1,2'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"]}') },
  { what: 'experiment `--csv` under a regular file', args: ['experiment', 'raft-leader-crash', '--vary', 'clients=1,2', '--seeds', '1..3', '--csv', 'afile/out.csv'], setup: (d) => writeFileSync(join(d, 'afile'), 'x') },
  { what: 'experiment `--set` of a parameter an axis varies', args: ['experiment', 'raft-leader-crash', '--vary', 'electionTimeoutMicrosMax=200ms,300ms', '--set', 'electionTimeoutMicrosMax=300ms', '--seeds', '1..3'] },
  { what: 'experiment `--nodes` when an axis varies nodes', args: ['experiment', 'e.json', '--nodes', '5'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["nodes=3,5"]}') },
  { what: 'experiment target a directory', args: ['experiment', 'exp'], setup: (d) => mkdirSync(join(d, 'exp')) },
  { what: 'experiment file not named .json', args: ['experiment', 'exp.txt'], setup: (d) => writeFileSync(join(d, 'exp.txt'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"]}') },
  { what: 'experiment file with an empty seed range', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"2..1","metrics":["leaderElectionMicros"],"vary":["clients=1,2"]}') },
  { what: 'experiment file duration without a unit', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"duration":"5","vary":["clients=1,2"]}') },
  { what: 'experiment file with a group setting what it varies', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"groups":[{"name":"g","set":["clients=3"],"vary":["clients=1,2"]}]}') },
  { what: 'experiment file with a label given twice', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":[{"vary":"clients=1,2","labels":["c","c"]}]}') },
  { what: 'experiment file with an empty label', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":[{"vary":"clients=1,2","labels":["one",""]}]}') },
  { what: 'experiment file reference with an empty point', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"],"references":[{"point":{},"metric":"leaderElectionMicros","stat":"median","value":"200ms","source":"a paper"}]}') },
  { what: 'experiment file reference value too large', args: ['experiment', 'e.json'], setup: (d) => writeFileSync(join(d, 'e.json'), '{"title":"t","scenario":"raft-leader-crash","seeds":"1..3","metrics":["leaderElectionMicros"],"vary":["clients=1,2"],"references":[{"point":{"clients":"1"},"metric":"leaderElectionMicros","stat":"median","value":1e999,"source":"a paper"}]}') },
  { what: 'history file missing', args: ['check', 'nope.json'] },
  { what: 'history with an unknown operation', args: ['check', 'h.json'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[{"client":"c1","call":0,"return":1,"input":{"op":"delete","key":"x"},"output":{}}]}') },
  { what: 'an op the model lacks', args: ['check', 'q.json', '--model', 'set'], setup: (d) => writeFileSync(join(d, 'q.json'), '{"model":"fifo-queue","operations":[{"client":"c1","call":0,"return":10,"input":{"op":"enqueue","value":"a"},"output":{}}]}') },
  { what: '`--initial` not JSON', args: ['check', 'h.json', '--initial', 'abc'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: '`--initial` an object for kv', args: ['check', 'h.json', '--initial', '{"y":""}'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: '`--timeout` not a duration', args: ['check', 'h.json', '--timeout', 'soon'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: 'check `--report` the history file itself', args: ['check', 'h.json', '--report', 'h.json'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: 'check `--report` in a missing folder', args: ['check', 'h.json', '--report', 'nodir/r.html'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: 'check `--report -` with `--json`', args: ['check', 'h.json', '--report', '-', '--json'], setup: (d) => writeFileSync(join(d, 'h.json'), '{"model":"kv","operations":[]}') },
  { what: 'playground: unknown scenario', args: ['playground', 'nope', '--out', 'pg'] },
  { what: 'playground `--port` out of range', args: ['playground', '--port', '70000'] },
  { what: 'playground `--out` and `--port` together', args: ['playground', '--out', 'pg', '--port', '1'] },
  { what: 'playground `--replay` a file that is neither a replay file nor a run report', args: ['playground', '--replay', 'faults.json', '--out', 'pg'], setup: (d) => writeFileSync(join(d, 'faults.json'), '[{"at": 1000, "kind": "crash", "node": "n1"}]') },
  { what: 'playground `--replay` an HTML page without a run', args: ['playground', '--replay', 'exp.html', '--out', 'pg'], setup: (d) => writeFileSync(join(d, 'exp.html'), '<!DOCTYPE html><html><body>an experiment report</body></html>') },
  { what: 'playground `--replay` with a scenario too', args: ['playground', 'raft-lossy', '--replay', 'run.json', '--out', 'pg'], setup: replayFile({}) },
  { what: 'playground unknown `--lesson`', args: ['playground', '--lesson', 'leader-crsh', '--out', 'pg'] },
  { what: '`--history` with another extension', args: ['run', 'raft-lossy', '--history', 'h.txt'] },
  { what: '`--history` on a scenario with no client history', args: ['run', 'broadcast-lossy', '--history', 'h.edn'] },
  { what: '`sweep --history` without `--out`', args: ['sweep', 'raft-lossy', '--history', 'edn'] },
  { what: '`sweep --history` another format', args: ['sweep', 'raft-lossy', '--out', 'd', '--history', 'xml'] },
];

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly before: string;
  readonly after: string;
}

/** Names, kinds and sizes of everything below `dir` (links not followed), one per line. */
function snapshot(dir: string, prefix = ''): string {
  const lines: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    lines.push(`${prefix}${name} ${stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : stat.size}`);
    if (stat.isDirectory()) lines.push(snapshot(path, `${prefix}${name}/`));
  }
  return lines.filter((l) => l !== '').join('\n');
}

function runCase(c: BadInput): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-input-'));
  c.setup?.(dir);
  const before = snapshot(dir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...c.args], { cwd: dir, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, before, after: snapshot(dir) }));
  });
}

/** Runs every case, two at a time (the machine has two cores). */
async function runAll(cases: readonly BadInput[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const lane = async () => {
    while (next < cases.length) {
      const i = next++;
      outcomes[i] = await runCase(cases[i]!);
    }
  };
  await Promise.all([lane(), lane()]);
  return outcomes;
}

const TABLE_START = '<!-- bad-input table: generated by test/cli/bad-input.test.ts (npm run readme:bad-input) -->';
const TABLE_END = '<!-- end of bad-input table -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Inline code that may itself hold backticks. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${cell(text)} \`\`` : `\`${cell(text)}\``;
}

function renderTable(cases: readonly BadInput[], outcomes: readonly Outcome[]): string {
  const rows = cases.map((c, i) => {
    const o = outcomes[i]!;
    return `| ${cell(c.what)} | ${code(`faultline ${c.args.join(' ')}`)} | ${code(o.stderr.trim())} | ${o.status} |`;
  });
  return [TABLE_START, '', '| bad input | command | what it prints (stderr) | exit |', '| --- | --- | --- | --- |', ...rows, '', TABLE_END].join('\n');
}

describe('bad input: one line naming the problem, exit 2, nothing written', () => {
  let outcomes: Outcome[] = [];

  it('every case of the catalogue', async () => {
    outcomes = await runAll(CASES);
    for (const [i, c] of CASES.entries()) {
      const o = outcomes[i]!;
      const label = `${c.what}: faultline ${c.args.join(' ')}`;
      expect(o.status, `${label}\n${o.stderr}`).toBe(2);
      expect(o.stdout, label).toBe('');
      expect(o.stderr, label).toMatch(/^faultline: [^\n]+\n$/);
      expect(o.stderr, label).not.toMatch(/\s+at \S+ \(|node:internal/);
      // eslint-disable-next-line no-control-regex
      expect(o.stderr, label).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(o.after, label).toBe(o.before);
    }
  }, 180_000);

  it('README\'s table is the catalogue\'s', () => {
    expect(outcomes.length, 'the catalogue ran').toBe(CASES.length);
    const table = renderTable(CASES, outcomes);
    const readmePath = join(ROOT, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (process.env.FAULTLINE_UPDATE_README === '1' && start >= 0 && end > start) {
      writeFileSync(readmePath, readme.slice(0, start) + table + readme.slice(end + TABLE_END.length));
      return;
    }
    expect(start, 'README.md has the bad-input table markers').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + TABLE_END.length), 'README.md\'s bad-input table is stale: run npm run readme:bad-input').toBe(table);
  });
});
