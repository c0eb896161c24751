// Applying fault entries to a running cluster: node references (`@ROLE`, `@ROLE:any`, `@leader`,
// `@follower`, `@rest`, `$NAME`) are resolved against the run's state at that moment, the entry is
// recorded, and it acts on the network's links or, through the engine, on a node's lifecycle or clock.
// Entries arrive validated; role oracles only read the run.

import { assert } from './assert.js';
import type { RunView } from './check.js';
import { isNodeRef, parseRoleRef, REST_REF, type FaultEntry, type LinkSelector, type TriggerEntry } from './faults.js';
import type { LinkSelection, Network } from './network.js';
import type { NodeId } from './process.js';
import type { Recorder } from './recorder.js';
import type { Rng } from './rng.js';
import type { Micros } from './time.js';

/** Written bare, one follower drawn at random (its meaning from before roles were open). */
const FOLLOWER_REF = '@follower';

/**
 * Answers an algorithm's state-dependent role names (`leader`, `follower`, `primary` …): which nodes
 * hold the role now, for fault references such as `@leader` (see sim/faults.ts). It only reads the run.
 */
export interface RoleOracle {
  /** The names it answers, without `@` (`['leader', 'follower']`). */
  readonly names: readonly string[];
  /** The nodes holding role `name` now, in a fixed order (empty: none now). Called only with one of `names`. */
  resolve(name: string, run: RunView): readonly NodeId[];
}

/**
 * The role oracle of an algorithm with one leader: `@leader` is the node `leader(run)` names (none:
 * unresolvable then), and `follower` is every server that is up and not the leader.
 */
export function leaderRoles(leader: (run: RunView) => NodeId | undefined): RoleOracle {
  return {
    names: ['leader', 'follower'],
    resolve(name, run) {
      const id = leader(run);
      if (name === 'leader') return id === undefined ? [] : [id];
      return run.servers.filter((server) => server !== id && run.status(server) === 'up');
    },
  };
}

/**
 * Resolves the node references in fault entries: `@ROLE` (every node of a role now: a node role of the
 * cluster, or a state-dependent one the oracle answers), `@ROLE:any` (one of them, drawn from the
 * resolver's own random stream), `$NAME` (bound by `as` for the rest of the run). A bare `@follower`
 * is one follower drawn at random, as it was before roles were open.
 */
export class RoleResolver {
  /** Names bound by `as` in this run's schedule. */
  private readonly bindings = new Map<string, NodeId>();
  /** The nodes of each node role, in cluster order. */
  private readonly members = new Map<string, NodeId[]>();

  /**
   * @param view  the run now (servers, nodes, status)
   * @param rng   the stream `:any` and `@follower` draw from (its own, so it disturbs no one else's draws)
   * @param roles the scenario's oracle; without one, only node roles resolve (`@leader` never does)
   * @param nodes the cluster's nodes with their roles, for `@ROLE` naming a node role
   */
  constructor(
    private readonly view: RunView,
    private readonly rng: Rng,
    private readonly roles: RoleOracle | undefined,
    nodes: readonly { readonly id: NodeId; readonly role: string }[],
  ) {
    for (const node of nodes) {
      const list = this.members.get(node.role);
      if (list === undefined) this.members.set(node.role, [node.id]);
      else list.push(node.id);
    }
  }

  /** The nodes a reference names now, in order (an id is itself); undefined if it names none now. */
  resolveRefs(ref: NodeId): readonly NodeId[] | undefined {
    if (!isNodeRef(ref)) return [ref];
    if (ref.startsWith('$')) {
      const id = this.bindings.get(ref.slice(1));
      return id === undefined ? undefined : [id];
    }
    const parsed = parseRoleRef(ref);
    if (parsed === undefined) return undefined;
    const { role } = parsed;
    const holders = this.roles !== undefined && this.roles.names.includes(role) ? this.roles.resolve(role, this.view) : this.members.get(role);
    if (holders === undefined || holders.length === 0) return undefined;
    return parsed.any || ref === FOLLOWER_REF ? [this.rng.pick(holders)] : holders;
  }

  /** The one node a reference names now; undefined if it names none, or several (`@participant` of three). */
  resolveRef(ref: NodeId): NodeId | undefined {
    const ids = this.resolveRefs(ref);
    return ids?.length === 1 ? ids[0] : undefined;
  }

  /**
   * The entry with every reference replaced by a node id (the entry itself when it has none; `as`
   * binds its name and is dropped); null if a reference cannot be resolved now.
   */
  resolve(entry: FaultEntry): FaultEntry | null {
    const refs = (list: readonly NodeId[] | undefined) => list?.some(isNodeRef) ?? false;
    const needs = ('node' in entry && isNodeRef(entry.node)) || ('as' in entry && entry.as !== undefined)
      || ('groups' in entry && entry.groups.some(refs)) || ('from' in entry && refs(entry.from)) || ('to' in entry && refs(entry.to));
    if (!needs) return entry;
    const resolveList = (list: readonly NodeId[]): NodeId[] | null => {
      const out: NodeId[] = [];
      for (const ref of list) {
        const ids = this.resolveRefs(ref);
        if (ids === undefined) return null;
        for (const id of ids) if (!out.includes(id)) out.push(id);
      }
      return out;
    };
    if ('groups' in entry) {
      const resolved: NodeId[][] = [];
      for (const group of entry.groups) {
        const ids = resolveList(group.filter((ref) => ref !== REST_REF));
        if (ids === null) return null;
        resolved.push(ids);
      }
      // @rest: every node not named in another group. A node named twice stays in its first group.
      const named = new Set<NodeId>();
      const groups = resolved.map((ids) => ids.filter((id) => !named.has(id) && (named.add(id), true)));
      entry.groups.forEach((group, g) => {
        if (group.includes(REST_REF)) groups[g]!.push(...this.view.nodes.filter((id) => !named.has(id)));
      });
      return { at: entry.at, kind: 'partition', groups };
    }
    const out: Record<string, unknown> = { ...entry };
    if ('node' in entry) {
      const id = this.resolveRef(entry.node);
      if (id === undefined) return null;
      out.node = id;
      if ('as' in entry && entry.as !== undefined) {
        this.bindings.set(entry.as, id);
        delete out.as;
      }
    }
    for (const side of ['from', 'to'] as const) {
      const list = (entry as LinkSelector)[side];
      if (list === undefined) continue;
      const ids = resolveList(list);
      if (ids === null) return null;
      out[side] = ids;
    }
    return out as unknown as FaultEntry;
  }
}

/**
 * What a fault does to nodes, carried out by the engine (which owns node lifecycle). Each call acts
 * only from the state it names (crash: up or paused; restart: crashed; pause: up; resume: paused; join:
 * absent; leave: up; request: up, or paused and then on resume) and otherwise changes nothing.
 */
export interface NodeFaults<M> {
  /** A node's index; asserts that the node exists. */
  nodeIndex(id: NodeId): number;
  crashNode(index: number): void;
  restartNode(index: number): void;
  pauseNode(index: number): void;
  resumeNode(index: number): void;
  /** Boots an absent node as a fresh one (empty disk). */
  joinNode(index: number): void;
  /** Asks an up node to leave (its `onLeave`, or out at once without one). */
  leaveNode(index: number): void;
  skewClock(index: number, offsetMicros: Micros): void;
  driftClock(index: number, ppm: number): void;
  /** Sets how many times slower the node experiences everything (1: normal speed). */
  slowNode(index: number, factor: number): void;
  /** Sets the share of requests the node fails at once (0: none). */
  failFastNode(index: number, ratio: number): void;
  /** Asks a client to issue one operation (`op`, or one it draws when undefined) through its `onRequestEntry`. */
  requestNode(index: number, op: unknown): void;
  /** Queues messages a clog held, now, in the order given. */
  release(messages: readonly M[]): void;
  /** Arms a trigger (its node references resolved) for the rest of the fault phase. */
  armTrigger(entry: TriggerEntry): void;
}

/** One applied entry with role references: what it resolved to (null: not resolvable then). */
export interface FaultResolution {
  readonly fault: FaultEntry;
  readonly resolved: FaultEntry | null;
}

/** Applies fault entries: resolve, record, act. `M` is the engine's queued message. */
export class FaultApplier<M> {
  /** What each entry with a role reference resolved to, in the order applied. */
  readonly resolutions: FaultResolution[] = [];

  constructor(
    private readonly resolver: RoleResolver,
    private readonly network: Network<M>,
    private readonly nodes: NodeFaults<M>,
    private readonly recorder: Recorder,
  ) {}

  /**
   * Applies one entry at `at` and returns it as resolved (null: a role reference named no node then).
   * An entry that does not apply (crash a crashed node) is recorded but changes nothing; so is one whose
   * role reference cannot be resolved now (no leader at that moment).
   */
  apply(original: FaultEntry, source: 'schedule' | 'recovery', at: Micros): FaultEntry | null {
    const entry = this.resolver.resolve(original);
    if (entry !== original) this.resolutions.push({ fault: original, resolved: entry });
    this.recorder.fault(at, original, source, entry);
    if (entry !== null) this.act(entry);
    return entry;
  }

  /** What a resolved entry does to the links, or through the engine to a node. */
  private act(entry: FaultEntry): void {
    const nodes = this.nodes;
    switch (entry.kind) {
      case 'partition':
        if ('groups' in entry) this.network.partition(entry.groups.map((group) => group.map((id) => nodes.nodeIndex(id))));
        else this.network.cut(this.selection(entry));
        return;
      case 'heal':
        return this.network.heal();
      case 'crash':
        return nodes.crashNode(nodes.nodeIndex(entry.node));
      case 'restart':
        return nodes.restartNode(nodes.nodeIndex(entry.node));
      case 'pause':
        return nodes.pauseNode(nodes.nodeIndex(entry.node));
      case 'resume':
        return nodes.resumeNode(nodes.nodeIndex(entry.node));
      case 'join':
        return nodes.joinNode(nodes.nodeIndex(entry.node));
      case 'leave':
        return nodes.leaveNode(nodes.nodeIndex(entry.node));
      case 'clog':
        return this.network.clog(this.selection(entry));
      case 'unclog':
        return nodes.release(this.network.unclog(this.selection(entry)));
      case 'loss':
        return this.network.setLoss(this.selection(entry), entry.ratio);
      case 'duplicate':
        return this.network.setDuplicate(this.selection(entry), entry.ratio);
      case 'delay':
        return this.network.setLatency(this.selection(entry), entry.latency);
      case 'clock-skew':
        return nodes.skewClock(nodes.nodeIndex(entry.node), entry.offsetMicros);
      case 'clock-drift':
        return nodes.driftClock(nodes.nodeIndex(entry.node), entry.ppm);
      case 'slow':
        return nodes.slowNode(nodes.nodeIndex(entry.node), entry.factor);
      case 'fail-fast':
        return nodes.failFastNode(nodes.nodeIndex(entry.node), entry.ratio);
      case 'request':
        return nodes.requestNode(nodes.nodeIndex(entry.node), entry.op);
      case 'on-fact':
      case 'on-message':
        return nodes.armTrigger(entry);
    }
    assert(false, `unknown fault kind ${JSON.stringify((entry as { kind: unknown }).kind)}`);
  }

  /** A selector's node ids as indices (each id must name a node). */
  private selection(selector: LinkSelector): LinkSelection {
    const nodes = this.nodes;
    return {
      ...(selector.from ? { from: selector.from.map((id) => nodes.nodeIndex(id)) } : {}),
      ...(selector.to ? { to: selector.to.map((id) => nodes.nodeIndex(id)) } : {}),
    };
  }
}
