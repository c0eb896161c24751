// Clients and a schedule's `request` entry, rule by rule: each script in test/scripts/clients/ drives one
// client (lab/protocol-script.ts; `request NODE [{op}]` is the entry) and states what each step must
// produce: the operation issued at once when idle, queued behind a pending one, recorded in the history.
// The script's file name says which client (kv-, bank-, shard-). Broadcast's request script lives with
// broadcast's scripts (test/scripts/broadcast/).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BankClient, checkBankRequest, type BankClientConfig } from '../../algorithms/atomic-commit/client.js';
import { broadcastBugs, BroadcastNode, checkBroadcastOp } from '../../algorithms/broadcast/broadcast.js';
import { checkKvCommand, KvClient } from '../../algorithms/kv/client.js';
import { checkLbRequest } from '../../algorithms/load-balancing/client.js';
import { checkShardOp, ShardClient, zipfKeys } from '../../algorithms/shardkv/client.js';
import { OwnerTables } from '../../algorithms/shardkv/config.js';
import { ProtocolScriptError, runProtocolScript, runProtocolScriptFile, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';
import type { Process } from '../../sim/process.js';
import { ms } from '../../sim/time.js';

const SCRIPTS = join(import.meta.dirname, '..', 'scripts', 'clients');

const kvAdapter: ProtocolScriptAdapter<unknown> = {
  create: () => new KvClient({ keys: 4, thinkMicrosMin: ms(10), thinkMicrosMax: ms(50), timeoutMicros: ms(200), attemptsMax: 0, stopAtMicros: ms(10_000) }) as Process<unknown>,
};

const BANK: BankClientConfig = {
  coordinator: 'tm', participants: ['rm1', 'rm2'], bank: { accountsPerShard: 2, initialBalance: 10 }, auditRatio: 0.2, amountMax: 10,
  thinkMicrosMin: ms(10), thinkMicrosMax: ms(50), resendMicros: ms(100), timeoutMicros: ms(1_000), stopAtMicros: ms(10_000),
};
const bankAdapter: ProtocolScriptAdapter<unknown> = { create: () => new BankClient(BANK) as Process<unknown> };

const SHARD_MEMBERS = ['s1', 's2', 's3'];
const shardTables = () => new OwnerTables({ placement: 'rendezvous', placementOptions: {}, replicas: 3, keys: 8 });
const shardAdapter: ProtocolScriptAdapter<unknown> = {
  create: () => new ShardClient({
    controller: 'ctl', initialMembers: SHARD_MEMBERS, chooseKey: zipfKeys(8, 0), putRatio: 0.5, thinkMicrosMin: ms(10), thinkMicrosMax: ms(50),
    timeoutMicros: ms(200), retryMicros: ms(50), attemptsMax: 10, stopAtMicros: ms(10_000),
  }, shardTables()) as Process<unknown>,
};

const ADAPTERS: Record<string, ProtocolScriptAdapter<unknown>> = { kv: kvAdapter, bank: bankAdapter, shard: shardAdapter };

describe('client request scripts (one per hook)', () => {
  const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.txt')).sort();

  it('has a script for each client with a request hook', () => {
    expect(files.map((f) => f.split('-')[0]).sort()).toEqual(['bank', 'kv', 'shard']);
  });

  for (const file of files) {
    it(file, () => {
      const adapter = ADAPTERS[file.split('-')[0]!]!;
      const { expected, actual } = runProtocolScriptFile(join(SCRIPTS, file), adapter);
      expect(actual).toBe(expected);
    });
  }

  it('a script cannot give an op its client refuses, nor ask a node without the hook', () => {
    const kv = 'nodes c1 n1\n----\nok\n\nstart c1\n----\nc1 set-timer next\nc1 state {pending: null, leaderHint: null}\n\n';
    expect(() => runProtocolScript(`${kv}request c1 {op: put, key: k1}\n----\n`, kvAdapter)).toThrow(ProtocolScriptError);
    expect(() => runProtocolScript(`${kv}request c1 {op: put, key: k1}\n----\n`, kvAdapter)).toThrow(/value must be a string/);
    const server: ProtocolScriptAdapter<unknown> = { create: () => ({ onStart: () => {}, onMessage: () => {}, onTimer: () => {} }) };
    expect(() => runProtocolScript('nodes n1\n----\nok\n\nstart n1\n----\nok\n\nrequest n1\n----\n', server)).toThrow(/n1 takes no requests/);
  });
});

describe('each client checks a requested op and gives its canonical form', () => {
  it('kv: get, put, append, cas with string keys and values', () => {
    expect(checkKvCommand({ value: 'v', key: 'k', op: 'put' })).toEqual({ op: { op: 'put', key: 'k', value: 'v' } });
    expect(JSON.stringify(checkKvCommand({ value: 'v', expected: null, key: 'k', op: 'cas' }))).toBe('{"op":{"op":"cas","key":"k","expected":null,"value":"v"}}');
    expect(checkKvCommand({ op: 'get', key: 'k', value: 'v' })).toEqual({ problem: "a get takes op, key; unknown field 'value'" });
    expect(checkKvCommand(null)).toHaveProperty('problem');
  });

  it('broadcast: an integer value', () => {
    expect(checkBroadcastOp({ value: 7, op: 'broadcast' })).toEqual({ op: { op: 'broadcast', value: 7 } });
    expect(checkBroadcastOp({ op: 'broadcast', value: 1.5 })).toEqual({ problem: 'value must be an integer from 0 to 999999; got 1.5' });
    expect(checkBroadcastOp({ op: 'broadcast', value: 1, to: 'n2' })).toHaveProperty('problem');
  });

  it('shardkv: get or put of one of the store\'s keys', () => {
    const keys = shardTables().keyNames;
    expect(checkShardOp({ key: 'k7', op: 'get' }, keys)).toEqual({ op: { op: 'get', key: 'k7' } });
    expect(checkShardOp({ op: 'get', key: 'k8' }, keys)).toEqual({ problem: 'key must be one of the store\'s keys, k0 … k7; got "k8"' });
    expect(checkShardOp({ op: 'put', key: 'k1' }, keys)).toHaveProperty('problem');
  });

  it('bank: an audit, or a transfer between two different accounts of the bank', () => {
    expect(checkBankRequest({ op: 'audit' }, BANK)).toEqual({ op: { op: 'audit' } });
    expect(checkBankRequest({ amount: 3, to: 'rm2/a1', from: 'rm1/a0', op: 'transfer' }, BANK)).toEqual({ op: { op: 'transfer', from: 'rm1/a0', to: 'rm2/a1', amount: 3 } });
    expect(checkBankRequest({ op: 'transfer', from: 'rm1/a0', to: 'rm1/a0', amount: 3 }, BANK)).toEqual({ problem: 'from and to must be different accounts; both are rm1/a0' });
    expect(checkBankRequest({ op: 'transfer', from: 'rm1/a0', to: 'rm1/a1', amount: 11 }, BANK)).toEqual({ problem: 'amount must be an integer from 1 to 10; got 11' });
    expect(checkBankRequest({ op: 'transfer', from: 'rm3/a0', to: 'rm1/a1', amount: 1 }, BANK)).toHaveProperty('problem');
    expect(checkBankRequest({ op: 'audit', amount: 1 }, BANK)).toEqual({ problem: "an audit takes op only; unknown field 'amount'" });
  });

  it('load balancing: a key of the workload\'s', () => {
    expect(checkLbRequest({ key: 3, op: 'request' }, 8)).toEqual({ op: { op: 'request', key: 3 } });
    expect(checkLbRequest({ op: 'request', key: 8 }, 8)).toEqual({ problem: 'key must be an integer from 0 to 7; got 8' });
  });

  it('broadcast nodes take requests through the same hook', () => {
    const node = new BroadcastNode({ broadcastsPerNode: 0, broadcastIntervalMicros: ms(100), retransmitMicros: ms(50), retransmitBatchMax: 64, bugs: broadcastBugs.active(undefined) });
    expect(typeof node.onRequestEntry).toBe('function');
  });
});
