// A node's simulated disk: a key-value store whose writes become durable only at `sync`.
// On a crash, writes since the last sync are lost and synced ones survive. Values are stored as
// frozen copies (shared when already frozen), so a process can never change durable state except through `write`.

import { assert } from './assert.js';
import { frozenCopy } from './plain-data.js';

/** What a process sees of its disk (through `ctx.disk`). */
export interface Disk {
  /** The latest written value for `key` (synced or not), frozen; undefined if absent. */
  read<T>(key: string): T | undefined;
  /** Writes a value; it survives a crash only after the next `sync`. */
  write(key: string, value: unknown): void;
  /** Deletes a key; the deletion survives a crash only after the next `sync`. */
  delete(key: string): void;
  /** Makes every write so far durable. */
  sync(): void;
  /** Keys present now (synced or not), in first-write order. */
  keys(): string[];
}

const DELETED = Symbol('deleted');

/** The engine's disk: the process-facing `Disk` plus the crash hook. */
export class SimDisk implements Disk {
  private readonly durable = new Map<string, unknown>();
  private readonly pending = new Map<string, unknown>();
  writes = 0;
  syncs = 0;

  read<T>(key: string): T | undefined {
    if (this.pending.has(key)) {
      const value = this.pending.get(key);
      return value === DELETED ? undefined : (value as T);
    }
    return this.durable.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    assert(value !== undefined, `disk write of undefined to '${key}': use delete`);
    this.pending.set(key, frozenCopy(value));
    this.writes++;
  }

  delete(key: string): void {
    this.pending.set(key, DELETED);
    this.writes++;
  }

  sync(): void {
    for (const [key, value] of this.pending) {
      if (value === DELETED) this.durable.delete(key);
      else this.durable.set(key, value);
    }
    this.pending.clear();
    this.syncs++;
  }

  keys(): string[] {
    const out: string[] = [];
    for (const key of this.durable.keys()) {
      if (this.pending.get(key) !== DELETED) out.push(key);
    }
    for (const [key, value] of this.pending) {
      if (value !== DELETED && !this.durable.has(key)) out.push(key);
    }
    return out;
  }

  /** A fresh machine (a node that joins): nothing, synced or not, is left. */
  wipe(): void {
    this.durable.clear();
    this.pending.clear();
  }

  /** A crash: every write since the last sync is lost. */
  loseUnsynced(): void {
    this.pending.clear();
  }

  /** How many writes are waiting for a sync (for tests and reports). */
  get unsyncedCount(): number {
    return this.pending.size;
  }
}
