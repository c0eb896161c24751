// The replicated key-value state machine shared by Raft and Paxos: get, put, append and cas on string
// values, applied in log order. Client sessions (clientId, seq) make a retried command apply once: a
// replica that sees a seq it already applied answers with the recorded result instead of applying again.
// Assumes each client has at most one command outstanding, so remembering its latest result suffices.

export type KvCommand =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'append'; readonly key: string; readonly value: string }
  | { readonly op: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** What a command returns: `value` for get, `ok` for cas, nothing for put and append. */
export interface KvResult {
  readonly value?: string | null;
  readonly ok?: boolean;
}

/** A command as it travels through the log: who asked, which of their commands it is, and what. */
export interface SessionCommand {
  readonly clientId: string;
  readonly seq: number;
  readonly command: KvCommand;
}

export class KvStateMachine {
  private readonly data = new Map<string, string>();
  /** Per client: the highest seq applied and its result (invariant: at most one apply per (clientId, seq)). */
  private readonly sessions = new Map<string, { seq: number; result: KvResult }>();

  constructor(private readonly dedup = true) {}

  /**
   * Applies a command once. A duplicate of the client's latest command returns the recorded result;
   * an older one returns undefined (its client has moved on and no longer waits for it).
   */
  apply(entry: SessionCommand): KvResult | undefined {
    const session = this.sessions.get(entry.clientId);
    if (this.dedup && session !== undefined && entry.seq <= session.seq) {
      return entry.seq === session.seq ? session.result : undefined;
    }
    const result = this.execute(entry.command);
    this.sessions.set(entry.clientId, { seq: entry.seq, result });
    return result;
  }

  /** Reads without applying (for a leader that has confirmed it is still the leader). */
  read(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** A deterministic summary of the contents, for checkers comparing replicas. */
  digest(): string {
    return JSON.stringify([...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private execute(command: KvCommand): KvResult {
    const current = this.data.get(command.key) ?? null;
    switch (command.op) {
      case 'get':
        return { value: current };
      case 'put':
        this.data.set(command.key, command.value);
        return {};
      case 'append':
        this.data.set(command.key, (current ?? '') + command.value);
        return {};
      case 'cas': {
        const ok = current === command.expected;
        if (ok) this.data.set(command.key, command.value);
        return { ok };
      }
    }
  }
}
