// How old the entries of infoD's load vector get: clusters of several sizes
// gossip (net/infod.ts) for a while, idle or with traffic, and once a second
// every node looks at how old the freshest entry it knows of each peer is
// (what om/liveness.ts calls silence). Prints, per size, the oldest age seen
// and high percentiles, after a warm-up and from the start (a node knows
// nobody at first), next to silence_limit_ns. Host figures only matter for
// choosing that limit; nothing here feeds a simulated result.
//   node --import tsx userland/bench/gossip_age.ts [--seconds S] [--sizes 2,4,...] [--seeds N] [--traffic SHARE] [--loss P]
import { Command } from 'commander';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network } from '../../net/link.ts';
import { infod_of, silence_limit_intervals, start_infod } from '../../net/infod.ts';
import { make_profile } from '../../net/profiles.ts';
import { numberIn } from '../cli/usage.ts';

const o = new Command()
  .option('--seconds <s>', 'virtual seconds a run', numberIn('--seconds', 10, 1e5), 600)
  .option('--sizes <list>', 'cluster sizes', '2,3,4,8,16,32,64,128,256')
  .option('--seeds <n>', 'runs a size', numberIn('--seeds', 1, 100, true), 3)
  .option('--traffic <share>', 'cross traffic, share of the line', numberIn('--traffic', 0, 0.95), 0)
  .option('--loss <p>', 'netem loss on every link', numberIn('--loss', 0, 0.5), 0)
  .parse()
  .opts<{ seconds: number; sizes: string; seeds: number; traffic: number; loss: number }>();

const WARMUP_S = 60;

/** Ages in 10 ms bins up to 2000 s (a histogram: a 256-node run takes 65,280 ages a second). */
const BIN_S = 0.01;
class Hist {
  readonly bins = new Float64Array(200_000);
  count = 0;
  max = 0;
  add(age: number): void {
    this.bins[Math.min(this.bins.length - 1, Math.floor(age / BIN_S))]!++;
    this.count++;
    if (age > this.max) this.max = age;
  }
  quantile(q: number): number {
    let left = q * this.count;
    for (let i = 0; i < this.bins.length; i++) {
      left -= this.bins[i]!;
      if (left < 0) return (i + 1) * BIN_S;
    }
    return this.max;
  }
}

console.log(`gossip ages, ${o.seconds} s a run, ${o.seeds} seeds, traffic ${o.traffic}, loss ${o.loss}`);
console.log('nodes  oldest(s)  p99.99   p99.9    p99   median  oldest incl. start  all-known after(s)  limit(s)');
for (const n of o.sizes.split(',').map(Number)) {
  const ages = new Hist();
  let oldest_all = 0;
  let known_after = 0;
  for (let seed = 1; seed <= o.seeds; seed++) {
    const c = new Cluster({ nodes: n, mem_B: 16 << 20, seed });
    const net = attach_network(c, make_profile('fast-ethernet', { cross_traffic: o.traffic, loss: o.loss }));
    const end = o.seconds * 1e9;
    start_infod(c, () => c.queue.now_ns < end);
    net.start_cross_traffic(o.traffic, () => c.queue.now_ns < end);
    let all_known = -1;
    for (let t = 1; t <= o.seconds; t++) {
      c.run(t * 1e9);
      let every = true;
      for (const node of c.nodes) {
        const d = infod_of(node);
        for (const peer of c.nodes) {
          if (peer === node) continue;
          const last = d.last_heard_ns(peer.id);
          if (last === undefined) every = false;
          const age = (c.queue.now_ns - (last ?? 0)) / 1e9;
          oldest_all = Math.max(oldest_all, age);
          if (t > WARMUP_S) ages.add(age);
        }
      }
      if (every && all_known < 0) all_known = t;
    }
    known_after = Math.max(known_after, all_known);
  }
  const f = (x: number): string => x.toFixed(2).padStart(8);
  console.log(`${String(n).padStart(5)} ${f(ages.max)}  ${f(ages.quantile(0.9999))} ${f(ages.quantile(0.999))} ${f(ages.quantile(0.99))} ${f(ages.quantile(0.5))} ${f(oldest_all).padStart(19)} ${String(known_after).padStart(19)} ${f(silence_limit_intervals(n))}  (${(ages.count / 1e6).toFixed(1)}M ages)`);
}
