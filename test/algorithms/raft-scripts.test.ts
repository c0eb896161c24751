// Raft rule by rule: each script in test/scripts/raft/ drives one or more RaftNodes message by message
// (lab/protocol-script.ts) and states the messages, timers, facts and state each step must produce.
// Each script is named after the Figure 2 rule it pins down; FAULTLINE_REWRITE=1 regenerates outputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry, RaftMessage } from '../../algorithms/raft/messages.js';
import { raftBugs, RaftNode, raftDiskContents, type RaftBug, type RaftView } from '../../algorithms/raft/raft.js';
import type { SessionCommand } from '../../algorithms/kv/state-machine.js';
import { ProtocolScriptError, runProtocolScript, runProtocolScriptFile, type ProtocolScriptAdapter, type ScriptFields } from '../../lab/protocol-script.js';
import { ms } from '../../sim/time.js';

const SCRIPTS = join(import.meta.dirname, '..', 'scripts', 'raft');

/** Wire type → the paper's name, and wire field → the paper's field name, in wire order. */
const MESSAGES: readonly { wire: RaftMessage['type']; name: string; fields: readonly (readonly [string, string])[] }[] = [
  { wire: 'request-vote', name: 'RequestVote', fields: [['term', 'term'], ['lastLogIndex', 'lastLogIndex'], ['lastLogTerm', 'lastLogTerm']] },
  { wire: 'vote-reply', name: 'RequestVoteReply', fields: [['term', 'term'], ['granted', 'voteGranted']] },
  {
    wire: 'append', name: 'AppendEntries',
    fields: [['term', 'term'], ['prevIndex', 'prevLogIndex'], ['prevTerm', 'prevLogTerm'], ['entries', 'entries'], ['commit', 'leaderCommit']],
  },
  {
    wire: 'append-reply', name: 'AppendEntriesReply',
    fields: [['term', 'term'], ['success', 'success'], ['matchIndex', 'matchIndex'], ['conflictIndex', 'conflictIndex'], ['conflictTerm', 'conflictTerm']],
  },
  { wire: 'pre-vote', name: 'PreVote', fields: [['term', 'term'], ['lastLogIndex', 'lastLogIndex'], ['lastLogTerm', 'lastLogTerm']] },
  { wire: 'pre-vote-reply', name: 'PreVoteReply', fields: [['term', 'term'], ['granted', 'granted'], ['voterTerm', 'voterTerm']] },
  { wire: 'client-request', name: 'ClientRequest', fields: [['clientId', 'clientId'], ['seq', 'seq'], ['command', 'command']] },
];

/** A log entry in a script: its term alone for a leader's no-op, else `{term, clientId, seq, command}`. */
function entryToScript(entry: LogEntry): unknown {
  return entry.command === null ? entry.term : { term: entry.term, ...entry.command };
}

function entryFromScript(value: unknown): LogEntry {
  if (typeof value === 'number') return { term: value, command: null };
  const { term, clientId, seq, command } = value as { term: number } & SessionCommand;
  return { term, command: { clientId, seq, command } };
}

/** Raft for protocol scripts; `plantedBug` switches a bug on in every node (to show a script catches it). */
const raftAdapter = (plantedBug?: RaftBug): ProtocolScriptAdapter<RaftMessage> => ({
  create(_id, options) {
    const { entriesPerAppendMax = 64, bug = plantedBug, preVote = true, checkQuorum = true, ...unknown } =
      options as { entriesPerAppendMax?: number; bug?: RaftBug; preVote?: boolean; checkQuorum?: boolean };
    if (Object.keys(unknown).length > 0) throw new ProtocolScriptError(`unknown Raft option(s) ${Object.keys(unknown).join(', ')}`);
    return new RaftNode({
      electionTimeoutMicrosMin: ms(150), electionTimeoutMicrosMax: ms(300), heartbeatMicros: ms(50), entriesPerAppendMax, bugs: raftBugs.active(bug),
      preVote, checkQuorum,
    });
  },

  parseMessage(type, fields) {
    const spec = MESSAGES.find((m) => m.name === type);
    if (spec === undefined) throw new ProtocolScriptError(`unknown Raft message ${type} (known: ${MESSAGES.map((m) => m.name).join(', ')})`);
    const msg: Record<string, unknown> = { type: spec.wire };
    const known = new Set(spec.fields.map(([, paper]) => paper));
    for (const field of Object.keys(fields)) if (!known.has(field)) throw new ProtocolScriptError(`${type} has no field ${field} (fields: ${[...known].join(', ')})`);
    for (const [wire, paper] of spec.fields) {
      if (!(paper in fields)) throw new ProtocolScriptError(`${type} needs ${paper}`);
      msg[wire] = wire === 'entries' ? (fields[paper] as unknown[]).map(entryFromScript) : fields[paper];
    }
    return msg as unknown as RaftMessage;
  },

  formatMessage(msg) {
    const spec = MESSAGES.find((m) => m.wire === msg.type);
    if (spec === undefined) {
      const { type, ...rest } = msg;
      return { type: type === 'client-reply' ? 'ClientReply' : type, fields: rest };
    }
    const fields: ScriptFields = {};
    for (const [wire, paper] of spec.fields) {
      const value = (msg as unknown as Record<string, unknown>)[wire];
      fields[paper] = wire === 'entries' ? (value as LogEntry[]).map(entryToScript) : value;
    }
    return { type: spec.name, fields };
  },

  initialDisk(state) {
    const { term = 0, votedFor = null, log = [], ...unknown } = state as { term?: number; votedFor?: string | null; log?: unknown[] };
    if (Object.keys(unknown).length > 0) throw new ProtocolScriptError(`unknown durable Raft state ${Object.keys(unknown).join(', ')} (known: term, votedFor, log)`);
    return raftDiskContents({ currentTerm: term, votedFor, log: log.map(entryFromScript) });
  },

  state(process) {
    const view = process.inspect!() as RaftView;
    return {
      role: view.role, term: view.term, votedFor: view.votedFor, leaderId: view.leaderId,
      commitIndex: view.commitIndex, lastApplied: view.lastApplied, log: view.log.slice(1).map(entryToScript),
    };
  },
});

describe('raft protocol scripts (one per Figure 2 rule)', () => {
  const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.txt')).sort();

  it('has a script for every rule of Figure 2', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    it(file, () => {
      const { expected, actual } = runProtocolScriptFile(join(SCRIPTS, file), raftAdapter());
      expect(actual).toBe(expected);
    });
  }

  // A script must fail when its rule is broken. Where a planted bug breaks the rule, that is checked here
  // on every run; other rules were broken by hand once (see the issue note).
  it.each([
    ['append-entries-3-conflict-deletes-suffix.txt', raftBugs.names.truncateMatchingEntries],
    ['request-vote-2-up-to-date-log.txt', raftBugs.names.voteWithoutLogCheck],
    ['request-vote-2-one-vote-per-term.txt', raftBugs.names.forgetVote],
    ['leaders-4-commit-rule-figure-8.txt', raftBugs.names.commitOldTerm],
  ])('%s fails under planted bug %s', (file, bug) => {
    const { expected, actual } = runProtocolScript(readFileSync(join(SCRIPTS, file), 'utf8'), raftAdapter(bug), file);
    expect(actual).not.toBe(expected);
  });
});
