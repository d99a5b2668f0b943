// make bench-micro's cluster scale check, in a process of its own so its
// peak RSS is its own: 64 nodes, 200 hpcc-mix processes of 8-64 MiB in fast
// mode, arriving on 8 login nodes, AMPoM with the balancer on. Prints JSON.
import { make_profile } from '../../net/profiles.ts';
import { run_cluster } from '../cluster/run.ts';
import { hpcc_mix } from '../cluster/workload.ts';

const NODES = Number(process.argv[2] ?? 64);
const JOBS = Number(process.argv[3] ?? 200);
const t0 = performance.now();
const jobs = hpcc_mix({ jobs: JOBS, nodes: NODES, logins: 8, rate_per_s: 10, scale: 1, mib_range: [8, 64], mode: 'fast', seed: 1 });
const r = run_cluster({ nodes: NODES, speeds: new Array<number>(NODES).fill(1), mem_mib: 2048, jobs, scheme: 'ampom', balancer: 'mosix', threshold: 0, profile: make_profile('fast-ethernet'), seed: 1 });
const wall_s = (performance.now() - t0) / 1000;
const rss_MB = (process.resourceUsage().maxRSS * 1024) / 1e6;
process.stdout.write(JSON.stringify({ wall_s, rss_MB, totals: r.totals, balance: r.balance }) + '\n');
