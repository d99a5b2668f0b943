// One HPCC kernel run in its own process, for bench-micro: prints the wall
// time and the process's peak RSS as JSON (host figures, not simulated ones).
import { make_profile } from '../../net/profiles.ts';
import { run_experiment } from '../experiment.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';

const [kernel, mib_s] = process.argv.slice(2);
if (!HPCC_KERNELS.includes(kernel as HpccKernel) || !(Number(mib_s) > 0)) {
  process.stderr.write(`usage: kernel_run.ts <${HPCC_KERNELS.join('|')}> <mib>\n`);
  process.exit(2);
}
const mib = Number(mib_s);
const program = make_hpcc({ kernel: kernel as HpccKernel, mib, mode: 'fast' });
const t0 = performance.now();
const r = run_experiment({
  program,
  scheme: 'openmosix',
  profile: make_profile('fast-ethernet'),
  node_mem_B: Math.ceil((program.size.used_B / 2 ** 20) * 1.25 + 64) << 20,
  migrate_at: null,
});
const wall_s = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ kernel, mib, problem: r.problem, verified: r.verified, wall_s, rss_MB: process.resourceUsage().maxRSS / 1024 }) + '\n');
