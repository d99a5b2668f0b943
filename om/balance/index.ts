// The balancers (--balancer): one a node, each a file, sharing the per-node
// machinery of node.ts: off, birth (placement when a process starts),
// mosix (MOSIX's load and cost/benefit tests with memory ushering), hbd
// (Harchol-Balter and Downey's age rule).
import type { Cluster } from '../../kernel/cluster.ts';
import { infod_of } from '../../net/infod.ts';
import { birth } from './birth.ts';
import { hbd } from './hbd.ts';
import { mosix } from './mosix.ts';
import { ClusterBalancers, DEFAULT_BALANCE, NodeBalancer, new_stats, type BalanceOptions, type BalanceStats, type BalancerPolicy } from './node.ts';
import { off } from './off.ts';

export const BALANCERS = ['off', 'birth', 'mosix', 'hbd'] as const;
export type BalancerName = (typeof BALANCERS)[number];
const POLICY: Record<BalancerName, BalancerPolicy> = { off, birth, mosix, hbd };

/** Start a balancer on every node (runs after each of its load computations); null for off. */
export function start_balancers(cluster: Cluster, name: BalancerName, opts: Partial<BalanceOptions> = {}): ClusterBalancers | null {
  if (name === 'off') return null;
  const all = new ClusterBalancers(cluster, POLICY[name]);
  for (const node of cluster.nodes) {
    const b = new NodeBalancer(node, { ...DEFAULT_BALANCE, ...opts }, POLICY[name], cluster.rng.fork());
    all.nodes.push(b);
    infod_of(node).load_listeners.push(() => b.tick());
  }
  return all;
}

/** The nodes' counts summed (userland's gathering at the end of a run). */
export function total_stats(all: ClusterBalancers): BalanceStats {
  const s = new_stats();
  for (const b of all.nodes) for (const k of Object.keys(s) as (keyof BalanceStats)[]) s[k] += b.stats[k];
  return s;
}

export { ClusterBalancers, NodeBalancer, DEFAULT_BALANCE, STABILITY, MIN_RESIDENCE_NS } from './node.ts';
export type { BalanceOptions, BalanceStats, Move, MoveReason } from './node.ts';
