// --balancer hbd: Harchol-Balter and Downey's preemptive policy
// ("Exploiting Process Lifetime Distributions for Dynamic Load Balancing",
// SIGMETRICS 1996; ACM TOCS 15(3), 1997). Their measured UNIX lifetimes
// follow P(life > t) = 1/t, so a process's expected remaining life is its
// age, and they migrate a process p from a host of n processes to one of m
// when
//     age(p) > migration_cost(p) / (n - m),
// the move paying for itself within its expected remaining life (what it
// costs is spread over the n - m processes that then share the CPU less).
// Here migration_cost is the scheme's expected cost (om/mig_cost.ts), n and
// m this node's load and the target's believed load (speed-normalised), and
// the target the least loaded node known (om/balance/node.ts). The load
// test with the stability factor and the residency of node.ts apply as to
// every balancer (without them the rule moves a process to a node of n - 1
// and may move it back), and memory ushering goes first as in mosix. Of the
// eligible processes the one that clears the rule by most, age x (n - m) /
// cost, goes first.
import type { BalancerPolicy } from './node.ts';
import { expected_gain } from './node.ts';
import { balance_round } from './mosix.ts';

export const hbd: BalancerPolicy = {
  name: 'hbd',
  tick: (b, v) =>
    balance_round(b, v, (b2, v2, c, t) => {
      const diff = v2.local - t.load;
      if (!(diff > 0)) return null;
      const g = expected_gain(v2, c, t);
      const cost = b2.cost(c, t.e, g.share_src, g.share_dest);
      const k = cost.freeze_ns + cost.blocked_ns;
      if (!(c.age_ns > k / diff)) return null;
      return { score: (c.age_ns * diff) / Math.max(1, k), cost };
    }),
};
