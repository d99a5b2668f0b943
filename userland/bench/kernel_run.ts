// One HPCC kernel run in its own process, for bench-micro: prints the wall
// time and CPU time, the pages that crossed the wire and the process's peak RSS as JSON
// (host figures, not simulated ones), and the TCP segments the run's nodes
// handed to their NICs, data and bare ACKs (counted around Network.xmit: the
// run makes its cluster out of reach; this process runs nothing else).
// Without a migration by default.
import { Network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { FRAME_TCP, type Frame } from '../../net/wire.ts';
import { run_experiment } from '../experiment.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';
import { POLICIES, type Policy } from '../../om/state.ts';

const [kernel, mib_s, scheme = 'openmosix', migrate = 'no'] = process.argv.slice(2);
if (!HPCC_KERNELS.includes(kernel as HpccKernel) || !(Number(mib_s) > 0) || !POLICIES.includes(scheme as Policy)) {
  process.stderr.write(`usage: kernel_run.ts <${HPCC_KERNELS.join('|')}> <mib> [scheme] [migrate|no]\n`);
  process.exit(2);
}
const mib = Number(mib_s);
let data_segments = 0;
let ack_segments = 0;
const xmit = Network.prototype.xmit;
Network.prototype.xmit = function (this: Network, f: Frame): boolean {
  if (f.kind === FRAME_TCP && !f.rst) {
    if (f.len_B > 0) data_segments++;
    else ack_segments++;
  }
  return xmit.call(this, f);
};
const program = make_hpcc({ kernel: kernel as HpccKernel, mib, mode: 'fast' });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = run_experiment({
  program,
  scheme: scheme as Policy,
  profile: make_profile('fast-ethernet'),
  node_mem_B: Math.ceil((program.size.used_B / 2 ** 20) * 1.25 + 64) << 20,
  migrate_at: migrate === 'migrate' ? 'setup_done' : null,
});
const wall_s = (performance.now() - t0) / 1000;
// The run's CPU (user and system), which other work on the machine inflates less than its wall time.
const used = process.cpuUsage(cpu0);
const cpu_s = (used.user + used.system) / 1e6;
const pages = r.pages_transferred;
process.stdout.write(JSON.stringify({ kernel, mib, scheme, problem: r.problem, verified: r.verified, wall_s, cpu_s, pages, data_segments, ack_segments, rss_MB: process.resourceUsage().maxRSS / 1024 }) + '\n');
