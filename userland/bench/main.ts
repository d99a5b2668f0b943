// make bench / make bench-quick: run the paper's experiments on worker
// threads, then write bench-out/ (results.json, CSVs, SVG plots, REPORT.md)
// and print a summary, the targets that hold and those that do not.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { numberIn } from '../cli/usage.ts';
import type { RunResult } from '../experiment.ts';
import { bench_plan, job_key, job_weight, type Job } from './plan.ts';
import { figure_specs, render_svg } from './plots.ts';
import { svg_to_png } from './png.ts';
import { make_record, results_json, type BenchRecord } from './record.ts';
import { figure_rows, report_md, to_csv } from './report.ts';
import { check_targets } from './targets.ts';
import type { DoneMsg, WorkMsg } from './worker.ts';

const cmd = new Command()
  .name('bench')
  .description("Reproduce the paper's Table 1 and Figures 5-11 in emulation and write bench-out/.")
  .option('--quick', 'every size at 1/8 (bench-quick)')
  .option('--out <dir>', 'output directory', 'bench-out')
  .option('--seed <n>', 'seed of every random choice', numberIn('--seed', 0, 2 ** 31 - 1, true), 1)
  .option('--workers <n>', 'worker threads (default: the number of cores)', numberIn('--workers', 1, 64, true))
  .parse();
const o = cmd.opts<{ quick?: boolean; out: string; seed: number; workers?: number }>();
const scale = o.quick ? 1 / 8 : 1;
const t_start = performance.now();

const plan = bench_plan(scale);
const unique = new Map<string, Job>();
for (const j of plan) if (!unique.has(job_key(j))) unique.set(job_key(j), j);
const queue = [...unique.entries()].sort((a, b) => job_weight(b[1]) - job_weight(a[1]));
const nworkers = Math.min(o.workers ?? availableParallelism(), queue.length);

const tty = process.stderr.isTTY;
const bar = tty ? new cliProgress.SingleBar({ format: 'bench [{bar}] {value}/{total} runs | {eta_formatted} left | {last}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
bar?.start(queue.length, 0, { last: '' });
let done = 0;
const results = new Map<string, RunResult>();

await new Promise<void>((resolve, reject) => {
  let live = nworkers;
  for (let w = 0; w < nworkers; w++) {
    const worker = new Worker(new URL('./worker_boot.js', import.meta.url));
    const next = (): void => {
      const item = queue.shift();
      if (!item) {
        void worker.terminate();
        if (--live === 0) resolve();
        return;
      }
      worker.postMessage({ key: item[0], job: item[1], seed: o.seed } satisfies WorkMsg);
    };
    worker.on('message', (m: DoneMsg) => {
      if (m.error || !m.result) {
        bar?.stop();
        reject(new Error(`run ${m.key} failed: ${m.error}`));
        return;
      }
      results.set(m.key, m.result);
      done++;
      const j = unique.get(m.key)!;
      const line = `${j.kernel} ${j.size_mib}${j.working_set_mib !== j.size_mib ? `/${j.working_set_mib}` : ''} MB ${j.scheme} ${j.bandwidth_mbps ?? j.profile}: runtime ${m.result.runtime_s.toFixed(2)} s`;
      if (bar) bar.update(done, { last: line });
      else process.stderr.write(`[${done}/${unique.size}] ${line}\n`);
      next();
    });
    worker.on('error', (e) => {
      bar?.stop();
      reject(e);
    });
    next();
  }
});
bar?.stop();

const runs: BenchRecord[] = plan.map((j) => make_record(j, results.get(job_key(j))!));
const checks = check_targets(runs);
const wall_s = (performance.now() - t_start) / 1000;

mkdirSync(o.out, { recursive: true });
writeFileSync(join(o.out, 'results.json'), results_json({ profile: 'fast-ethernet', seed: o.seed, scale, runs }));
for (const [fig, rows] of Object.entries(figure_rows(runs))) writeFileSync(join(o.out, `${fig}.csv`), to_csv(rows));
for (const [fig, s] of Object.entries(figure_specs(runs))) {
  writeFileSync(join(o.out, `${fig}.vl.json`), JSON.stringify(s, null, 2) + '\n');
  const svg = await render_svg(s);
  writeFileSync(join(o.out, `${fig}.svg`), svg);
  writeFileSync(join(o.out, `${fig}.png`), await svg_to_png(svg));
}
writeFileSync(join(o.out, 'REPORT.md'), report_md(runs, checks, { seed: o.seed, scale, wall_s, workers: nworkers }));

// Summary.
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`\n${'kernel'.padEnd(13)}${pad('MB', 7)}${pad('ws', 7)} ${'scheme'.padEnd(11)}${pad('Mb/s', 6)}${pad('freeze s', 10)}${pad('runtime s', 11)}${pad('requests', 10)}${pad('prefetched', 11)}${pad('anal %', 8)} ok`);
const seen = new Set<string>();
for (const r of runs) {
  const k = `${r.kernel}/${r.size_mib}/${r.working_set_mib}/${r.scheme}/${r.bandwidth_mbps}`;
  if (seen.has(k)) continue;
  seen.add(k);
  console.log(
    `${r.kernel.padEnd(13)}${pad(r.size_mib, 7)}${pad(r.working_set_mib, 7)} ${r.scheme.padEnd(11)}${pad(r.bandwidth_mbps, 6)}${pad(r.freeze_s.toFixed(3), 10)}${pad(r.runtime_s.toFixed(2), 11)}` +
      `${pad(r.remote_fault_requests, 10)}${pad(r.prefetched_pages, 11)}${pad(r.analysis_pct.toFixed(3), 8)} ${r.verified ? 'yes' : 'NO'}`,
  );
}
console.log(`\ntargets (${o.quick ? 'indicative only at 1/8 size' : "paper's sizes"}): ${checks.filter((c) => c.holds).length} of ${checks.length} hold`);
for (const c of checks) console.log(`  ${c.holds ? 'holds' : 'MISSES'}  fig ${c.figure}: ${c.what}: paper ${c.paper}, emulated ${c.emulated}${c.diff ? ` (${c.diff})` : ''}, tolerance ${c.tolerance}`);
const rss_MB = process.resourceUsage().maxRSS / 1024;
console.log(`\nwrote ${o.out}/ (results.json, fig5..fig11 .csv/.svg/.png/.vl.json, REPORT.md)`);
console.log(`wall time ${wall_s.toFixed(1)} s, peak RSS ${rss_MB.toFixed(0)} MB for the process with ${nworkers} workers (${(rss_MB / nworkers).toFixed(0)} MB a worker)`);
const unverified = runs.filter((r) => !r.verified).length;
if (unverified > 0) {
  console.error(`bench: ${unverified} runs were not verified (see REPORT.md)`);
  process.exitCode = 1;
}
