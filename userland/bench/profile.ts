// make profile: V8 CPU profiles (node --cpu-prof) of omemu's start-up and
// of the bench's heaviest runs, and for those runs what they allocate,
// garbage included (V8's sampling heap profiler, see one_run.ts), written to
// --out and summed up here (profile_top.ts): self time by function and by
// file, bytes allocated by function, with each run's peak RSS and the typed
// arrays' share (frames, page tables and TLBs live in typed arrays, outside
// the JS heap the heap profile samples). `--costs` adds the table of every
// bench run's host cost (costs.ts). Host figures only; nothing here feeds a
// result. Profiles open in Chrome's DevTools (Performance, Memory tabs).
//
//   node dist/userland/bench/profile.js [--out DIR] [--quick] [--top N] [--costs]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { numberIn } from '../cli/usage.ts';
import { normalize, type RunConfig } from '../sweep/config.ts';
import { bench_configs, cost_table, run_all, run_child } from './costs.ts';
import { cpu_top, heap_top, type Entry } from './profile_top.ts';

const o = new Command()
  .name('profile')
  .option('--out <dir>', 'where the .cpuprofile and .heapprofile files go', 'profile-out')
  .option('--quick', "the bench runs at 1/8 of their sizes (bench-quick's)")
  .option('--top <n>', 'entries shown of each profile', numberIn('--top', 1, 1000, true), 12)
  .option('--costs', "also every bench run's host cost, 2 at a time (as long as make bench)")
  .parse()
  .opts<{ out: string; quick?: boolean; top: number; costs?: boolean }>();

const scale = o.quick ? 1 / 8 : 1;
const mib = (x: number): number => Math.round(x * scale * 1000) / 1000;
/** The bench's heaviest runs of each kind: a bulk copy, demand paging with and without prefetch, and a cluster of the cluster figure. */
const RUNS: { name: string; config: Record<string, unknown> }[] = [
  { name: 'dgemm-ampom', config: { kernel: 'dgemm', mib: mib(575), scheme: 'ampom', seed: 1 } },
  { name: 'dgemm-noprefetch', config: { kernel: 'dgemm', mib: mib(575), scheme: 'noprefetch', seed: 1 } },
  { name: 'stream-openmosix', config: { kernel: 'stream', mib: mib(575), scheme: 'openmosix', seed: 1 } },
  { name: 'randomaccess-ampom', config: { kernel: 'randomaccess', mib: mib(513), scheme: 'ampom', seed: 1 } },
  {
    name: 'cluster-ampom',
    config: { kind: 'cluster', nodes: 16, logins: 2, jobs: 40, rate: 2, scale: Math.round(0.1 * scale * 1e6) / 1e6, balancer: 'mosix', scheme: 'ampom', balance_threshold: 0, seed: 1 },
  },
];

// The bundle itself (dist/omemu.js), not the entry that checks the build first.
const omemu = import.meta.url.endsWith('.js') ? fileURLToPath(new URL('../../omemu.js', import.meta.url)) : null;

function show(title: string, unit: string, es: Entry[]): void {
  console.log(`  ${title}`);
  for (const e of es) console.log(`    ${e.value.toFixed(1).padStart(9)} ${unit} ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.what}`);
}

/** The newest profile of a kind in a folder (node names them by time and pid). */
const newest = (dir: string, ext: string): string | null => {
  const fs = readdirSync(dir).filter((f) => f.endsWith(ext)).sort();
  return fs.length > 0 ? join(dir, fs[fs.length - 1]!) : null;
};

function summarize(dir: string): void {
  const cpu = newest(dir, '.cpuprofile');
  if (cpu) {
    const c = cpu_top(JSON.parse(readFileSync(cpu, 'utf8')), o.top);
    console.log(`  CPU profile: ${(c.total_ms / 1000).toFixed(2)} s of wall time sampled (${cpu})`);
    show('self time by function', 'ms', c.functions);
    show('self time by file or package', 'ms', c.files);
  }
  const heap = newest(dir, '.heapprofile');
  if (heap) {
    const h = heap_top(JSON.parse(readFileSync(heap, 'utf8')).head, o.top);
    console.log(`  heap: ${h.total_MB.toFixed(0)} MB of JS objects allocated during the run, garbage included, sampled (${heap})`);
    show('by allocating function', 'MB', h.functions);
  }
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

mkdirSync(o.out, { recursive: true });
console.log(`omemu profiles on Node ${process.version}, into ${o.out}/`);
// Start-up: the command as a user starts it (the compiled bundle).
if (omemu) {
  for (const [name, args] of [['help', ['--help']], ['run-seqtouch-4mib', ['run', '--kernel', 'seqtouch', '--mib', '4']]] as [string, string[]][]) {
    const dir = fresh(join(o.out, `omemu-${name}`));
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, omemu, ...args], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`omemu ${args.join(' ')} failed: ${p.stderr}`);
    console.log(`\nomemu ${args.join(' ')}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, profiled`);
    summarize(dir);
  }
} else console.log('(start-up profiles need the compiled build: make profile)');

for (const r of RUNS) {
  const dir = fresh(join(o.out, r.name));
  const config: RunConfig = normalize(r.config);
  const c = await run_child(config, ['--cpu-prof', `--cpu-prof-dir=${dir}`], join(dir, 'allocations.heapprofile'));
  console.log(`\n${r.name} (${c.what}): ${c.cpu_s.toFixed(1)} CPU s profiled, peak RSS ${c.rss_MB.toFixed(0)} MB; at the end JS heap ${c.heap_MB.toFixed(0)} MB, typed arrays ${c.array_buffers_MB.toFixed(0)} MB`);
  const per_page = c.pages_moved ? `, ${c.pages_moved} pages moved (${(c.events / c.pages_moved).toFixed(2)} events a page, the run's own included)` : '';
  console.log(`  ${c.events} events, at most ${c.max_pending} pending${per_page}`);
  // What the peak is made of: the JS heap (events, frames, messages, records) against the rest (node's own, and typed arrays: emulated memory, page tables, TLBs).
  const pk = c.peak_sampled;
  if (pk.rss_MB > 0) console.log(`  at the peak RSS sampled (${pk.rss_MB.toFixed(0)} MB): JS heap ${pk.js_heap_MB.toFixed(0)} MB resident (${pk.heap_used_MB.toFixed(0)} MB live), the rest ${(pk.rss_MB - pk.js_heap_MB).toFixed(0)} MB outside it (node's own, and typed arrays: frames written, page tables, TLBs), ${pk.pending} events pending`);
  summarize(dir);
}

if (o.costs) {
  console.log(`\nevery bench run's host cost (2 at a time, each in its own process):`);
  const configs = bench_configs(scale, false);
  const costs = await run_all(configs, 2, (c, n) => process.stderr.write(`[${n}/${configs.length}] ${c.cpu_s.toFixed(1)} s ${c.what}\n`));
  console.log(cost_table(costs, 30));
}
