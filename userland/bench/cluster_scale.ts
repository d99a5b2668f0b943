// make bench-micro's cluster scale check, in a process of its own so its
// peak RSS is its own: `omemu cluster --nodes 256 --workload pareto --load
// 0.7 --jobs 2000 --balancer mosix --scheme ampom` by default (arguments:
// nodes, jobs). Prints JSON: host time, peak RSS, the totals and how many
// live nodes were taken as dead.
import { make_profile } from '../../net/profiles.ts';
import { run_cluster } from '../cluster/run.ts';
import { make_workload } from '../cluster/workload.ts';

const NODES = Number(process.argv[2] ?? 256);
const JOBS = Number(process.argv[3] ?? 2000);
const t0 = performance.now();
const speeds = new Array<number>(NODES).fill(1);
const jobs = make_workload('pareto', { nodes: NODES, speeds, jobs: JOBS, logins: null, rate_per_s: 1, scale: 1, load: 0.7, job_mib: null, time_scale: 1, mode: 'fast', seed: 1 });
const r = run_cluster({ nodes: NODES, speeds, mem_mib: 1024, jobs, scheme: 'ampom', balancer: 'mosix', threshold: 0, profile: make_profile('fast-ethernet'), seed: 1 });
const wall_s = (performance.now() - t0) / 1000;
const rss_MB = (process.resourceUsage().maxRSS * 1024) / 1e6;
process.stdout.write(JSON.stringify({ wall_s, rss_MB, totals: r.totals, balance: r.balance, false_verdicts: r.gossip.false_verdicts }) + '\n');
