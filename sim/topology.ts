// Roles and topologies: a node's role is a name its scenario chooses (`server`, `client`, `coordinator`,
// `participant`, `monitor` …), and a topology says which roles each role talks to, which is what a
// node's `ctx.peers` lists. Nodes whose role is `client` drive a workload; every other node is a server.

import { assert } from './assert.js';
import type { NodeId, NodeSpec } from './process.js';

/** The role of nodes that drive a workload (histories, client rows in reports); every other role is a server role. */
export const CLIENT_ROLE = 'client';

/** What a role name looks like: a letter, then letters, digits, `-` and `_` (`participant`, `kv-client`). */
export const ROLE_NAME = /^[A-Za-z][\w-]*$/;

/**
 * Who talks to whom. Either a map from each role to the roles its nodes talk to (a node's peers are
 * the nodes of those roles, in cluster order, without itself), or a function giving a node's peers.
 *
 * ```ts
 * topology: { coordinator: ['participant', 'monitor'], participant: ['coordinator'], monitor: ['coordinator'] }
 * ```
 *
 * Without one, every node's peers are the servers (every node whose role is not `client`). A topology
 * shapes `ctx.peers` only: any node may still send to any node it knows of (a server answers a client).
 */
export type Topology =
  | { readonly [role: string]: readonly string[] }
  | ((node: NodeSpec, all: readonly NodeSpec[]) => readonly NodeId[]);

/** Nodes that drive a workload: role `client`. */
export function isClient(node: { readonly role: string }): boolean {
  return node.role === CLIENT_ROLE;
}

/** The servers of a cluster (every node whose role is not `client`), in cluster order. */
export function serversOf(nodes: readonly { readonly id: NodeId; readonly role: string }[]): NodeId[] {
  return nodes.filter((n) => !isClient(n)).map((n) => n.id);
}

/** The nodes of one role, in cluster order. */
export function membersOf(nodes: readonly { readonly id: NodeId; readonly role: string }[], role: string): NodeId[] {
  return nodes.filter((n) => n.role === role).map((n) => n.id);
}

/**
 * Every node's peers under `topology`, by index in `nodes` (see {@link Topology}). A map must name every
 * role the cluster has, and a function may name only nodes of the cluster, never the node itself;
 * every role must be a role name ({@link ROLE_NAME}). All are programmer errors otherwise.
 */
export function peersOf(nodes: readonly NodeSpec[], topology: Topology | undefined): NodeId[][] {
  for (const node of nodes) assert(ROLE_NAME.test(node.role), `node ${node.id}: role ${JSON.stringify(node.role)} is not a role name (a letter, then letters, digits, - or _)`);
  if (topology === undefined) {
    const servers = serversOf(nodes);
    return nodes.map((node) => servers.filter((id) => id !== node.id));
  }
  if (typeof topology === 'function') {
    const ids = new Set(nodes.map((n) => n.id));
    return nodes.map((node) => {
      const peers = [...topology(node, nodes)];
      for (const id of peers) assert(ids.has(id) && id !== node.id, `topology: ${node.id}'s peer ${id} is ${id === node.id ? 'itself' : 'not a node of the cluster'}`);
      assert(new Set(peers).size === peers.length, `topology: ${node.id}'s peers repeat a node`);
      return peers;
    });
  }
  for (const [role, talksTo] of Object.entries(topology)) {
    assert(ROLE_NAME.test(role), `topology: ${JSON.stringify(role)} is not a role name`);
    for (const other of talksTo) assert(ROLE_NAME.test(other), `topology: role ${role} talks to ${JSON.stringify(other)}, which is not a role name`);
  }
  return nodes.map((node) => {
    const talksTo = Object.hasOwn(topology, node.role) ? topology[node.role] : undefined;
    assert(talksTo !== undefined, `topology: says nothing about role ${node.role} (of node ${node.id})`);
    return nodes.filter((other) => other.id !== node.id && talksTo.includes(other.role)).map((other) => other.id);
  });
}
