// One sweep configuration run in a process of its own, for `make profile`'s
// cost table (costs.ts): prints the host CPU seconds, wall seconds and peak
// RSS of the run as JSON (host figures, never part of a record). The
// configuration comes as JSON in argv[2].
import { normalize } from '../sweep/config.ts';
import { run_config } from '../sweep/run.ts';

const config = normalize(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = run_config(config);
const wall_s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    cpu_s: (cpu.user + cpu.system) / 1e6,
    wall_s,
    rss_MB: process.resourceUsage().maxRSS / 1024,
    // What is still held when the run returns (nothing collected yet): the JS heap, and the typed arrays' memory outside it.
    heap_MB: process.memoryUsage().heapUsed / 2 ** 20,
    array_buffers_MB: process.memoryUsage().arrayBuffers / 2 ** 20,
    verified: r.verified,
  }) + '\n',
);
