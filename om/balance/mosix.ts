// --balancer mosix: MOSIX's rules, as openMosix ran them and Kerrighed's
// mosix_load_balancer renders them, at each of the node's load computations:
// - memory first (memory ushering, om/usher.ts): a node short of free
//   memory sends a process away whatever the loads say;
// - else the load-difference test with the stability factor: a candidate
//   (om/balance/node.ts) may go to the node of lowest known load once it is
//   added there (that node's load plus 1.3 of what one process weighs
//   there), if this node's own load exceeds that by the threshold
//   (--balance-threshold, the aggressiveness: 0 is MOSIX's own rule, more
//   waits for more imbalance, less moves sooner); and the difference must
//   have been there when the target's entry was computed too (node.ts
//   heavier_then), so news from before every node filled up moves nothing;
// - and the cost/benefit test: what the move is expected to gain it
//   (node.ts expected_gain) must beat what it is expected to cost it under
//   its scheme (om/mig_cost.ts, with the deputy's round trips of a process
//   that makes system calls).
// Of the candidates that pass, the one whose move pays most goes; then the
// next, with this node's load less the one that left and the target's
// more, as long as one passes: a node with many more processes than its
// peers sends several at once, to several targets.
import { usher_choice } from '../usher.ts';
import { expected_gain, TARGET_MEM_HEADROOM, type BalancerPolicy, type Candidate, type NodeBalancer, type Peer, type View } from './node.ts';

/** Memory ushering: true when it moved a process. */
export function usher(b: NodeBalancer, v: View): boolean {
  const ush = usher_choice(v.node, v.candidates.map((c) => c.task), v.peers, b.opts.usher_free_share, TARGET_MEM_HEADROOM);
  if (!ush) return false;
  const c = v.candidates.find((x) => x.task === ush.task)!;
  const p = v.peers.find((x) => x.e.node === ush.to)!;
  const g = expected_gain(v, c, p);
  return b.move(c.task, ush.to, 'memory', b.cost(c, p.e, g.share_src, g.share_dest), 1 / p.e.speed);
}

/** One decision among the candidates; `pays` says how much a move to a target is worth (null: not at all). */
export type Weigh = (b: NodeBalancer, v: View, c: Candidate, t: Peer & { after: number }) => { score: number; cost: { freeze_ns: number; blocked_ns: number } } | null;

/** The round every load balancer runs: pass the load test, then `weigh`; move the best; again while one passes. */
export function balance_round(b: NodeBalancer, v: View, weigh: Weigh): void {
  if (v.candidates.length === 0 || v.peers.length === 0) return;
  if (usher(b, v)) return;
  // Targets are the peers this node was heavier than when their entries
  // were computed (node.ts heavier_then), so a tie among idle nodes never
  // falls on one known only from before the cluster filled up.
  const peers = v.peers.filter((p) => b.heavier_then(p.e, b.opts.threshold + b.opts.stability / p.e.speed)).map((p) => ({ ...p }));
  let cands = [...v.candidates];
  let local = v.local;
  let n_here = v.n_here;
  for (;;) {
    const now: View = { ...v, local, n_here, peers };
    let best: { c: Candidate; t: Peer & { after: number }; score: number; cost: { freeze_ns: number; blocked_ns: number } } | null = null;
    for (const c of cands) {
      const t = b.target(peers, c);
      if (!t || !(local - b.opts.threshold > t.after)) continue;
      const w = weigh(b, now, c, t);
      if (w && (!best || w.score > best.score)) best = { c, t, ...w };
    }
    if (!best) return;
    cands = cands.filter((c) => c !== best!.c);
    if (!b.move(best.c.task, best.t.e.node, 'load', best.cost, 1 / best.t.e.speed)) continue;
    local -= 1 / v.node.speed;
    n_here = Math.max(1, n_here - 1);
    const p = peers.find((x) => x.e.node === best!.t.e.node)!;
    p.load += 1 / p.e.speed;
  }
}

export const mosix: BalancerPolicy = {
  name: 'mosix',
  tick: (b, v) =>
    balance_round(b, v, (b2, v2, c, t) => {
      const g = expected_gain(v2, c, t);
      const cost = b2.cost(c, t.e, g.share_src, g.share_dest);
      const net = g.gain_ns - cost.freeze_ns - cost.blocked_ns;
      return net > 0 ? { score: net, cost } : null;
    }),
};
