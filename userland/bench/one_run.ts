// One sweep configuration run in a process of its own, for `make profile`
// and its cost table (costs.ts): prints the host CPU seconds, wall seconds
// and peak RSS of the run as JSON (host figures, never part of a record).
// The configuration comes as JSON in argv[2]. With a file in argv[3], it
// also samples what the run allocates, garbage included (V8's sampling heap
// profiler through the inspector; node --heap-prof keeps only what is still
// held at the exit), into that file, a .heapprofile as DevTools reads it.
//
// What the memory at the run's peak is made of: every PEAK_EVERY events the
// process's RSS is read, and at the highest the JS heap's resident size
// (V8's spaces) is kept beside it; the rest is node's own code and data
// (about 60 MB before a run) and memory outside the JS heap: typed arrays
// (frames that were written, page tables, TLBs), malloc'd buffers. The
// typed arrays' total (array_buffers_MB) counts address space, most of
// it never touched: frames of fast mode are never written, so the host
// never commits them, and spare chunks are kept for the next node.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { EventQueue } from '../../kernel/events.ts';
import { normalize } from '../sweep/config.ts';
import { run_config } from '../sweep/run.ts';

// The events the run dispatches and the most ever pending, counted around
// EventQueue.step (the run makes its cluster out of reach; this process
// runs nothing else).
let events = 0;
let max_pending = 0;
const PEAK_EVERY = 20_000;
const MB = 2 ** 20;
let peak = { rss_MB: 0, js_heap_MB: 0, heap_used_MB: 0, pending: 0 };
const step = EventQueue.prototype.step;
EventQueue.prototype.step = function (this: EventQueue): boolean {
  events++;
  if (this.pending > max_pending) max_pending = this.pending;
  if (events % PEAK_EVERY === 0) {
    const rss = process.memoryUsage.rss();
    if (rss / MB > peak.rss_MB) {
      const js_heap = getHeapSpaceStatistics().reduce((a, sp) => a + sp.physical_space_size, 0);
      peak = { rss_MB: rss / MB, js_heap_MB: js_heap / MB, heap_used_MB: process.memoryUsage().heapUsed / MB, pending: this.pending };
    }
  }
  return step.call(this);
};

const config = normalize(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>);
const alloc_file = process.argv[3];
const session = alloc_file ? new Session() : null;
if (session) {
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 64 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = run_config(config);
const wall_s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const mem = process.memoryUsage();
if (session) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(alloc_file!, JSON.stringify(profile));
}
process.stdout.write(
  JSON.stringify({
    cpu_s: (cpu.user + cpu.system) / 1e6,
    wall_s,
    rss_MB: process.resourceUsage().maxRSS / 1024,
    // What is still held when the run returns (nothing collected yet): the JS heap, and the typed arrays' memory outside it.
    heap_MB: mem.heapUsed / 2 ** 20,
    array_buffers_MB: mem.arrayBuffers / 2 ** 20,
    // At the highest RSS sampled: the JS heap's resident size and its live part, and the events then pending.
    peak_sampled: peak,
    events,
    max_pending,
    pages_moved: 'pages_transferred' in r ? r.pages_transferred : null,
    verified: r.verified,
  }) + '\n',
);
