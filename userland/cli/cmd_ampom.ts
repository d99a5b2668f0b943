// `omemu ampom`: the AMPoM analysis of a window given by hand, for learning
// the algorithm and checking the paper's worked examples.
import { OUTPUT_SCHEMA } from '../schema.ts';
import type { Command } from 'commander';
import { AmpomCore, AMPOM_DMAX } from '../../mm/ampom.ts';
import { fields_text } from './format.ts';
import { numberIn, UsageError } from './usage.ts';

function list(name: string, v: string, min: number): number[] {
  const xs = v.split(',').map((s) => s.trim());
  const out = xs.map(Number);
  const bad = xs.findIndex((s, i) => s === '' || !Number.isFinite(out[i]!) || out[i]! < min);
  if (bad >= 0) throw new UsageError(`${name}: item ${bad + 1} ('${xs[bad]}') is not a number >= ${min}`);
  return out;
}

interface AmpomOpts { window: string; dmax?: number; rate?: number; cpu?: string; t0?: number; td?: number; json?: boolean }

export function analyze_window(o: AmpomOpts): Record<string, unknown> {
  const w = list('--window', o.window, 0);
  if (w.some((x) => !Number.isInteger(x))) throw new UsageError('--window: page numbers must be whole numbers');
  if (w.length < 2) throw new UsageError('--window needs at least two page numbers');
  for (let i = 1; i < w.length; i++) {
    if (w[i] === w[i - 1]) throw new UsageError(`--window: items ${i} and ${i + 1} repeat page ${w[i]} (consecutive repeats count once; give it once)`);
  }
  const l = w.length;
  // A short window cannot hold the default largest stride: search what fits.
  const dmax = o.dmax ?? Math.min(AMPOM_DMAX, l - 1);
  if (dmax >= l) throw new UsageError(`--dmax ${dmax} must be less than the window length ${l} (give more pages in --window or a smaller --dmax)`);
  const cpu = o.cpu ? list('--cpu', o.cpu, 0) : null;
  if (cpu && cpu.length !== l) throw new UsageError(`--cpu gives ${cpu.length} values for a window of ${l}`);
  const timing = o.rate !== undefined || cpu !== null || o.t0 !== undefined || o.td !== undefined;
  if (timing && (o.rate === undefined || o.t0 === undefined || o.td === undefined)) {
    throw new UsageError('to compute N give --rate, --t0 and --td (and optionally --cpu)');
  }
  const core = new AmpomCore({ l, d_max: dmax });
  // Fault times from the rate: r = l / (T_l - T_1).
  const gap = o.rate ? l / o.rate / (l - 1) : 1;
  w.forEach((v, i) => core.record(v, i * gap, cpu ? cpu[i]! : 1));
  core.analyze_locality();
  const stride: Record<string, number> = {};
  for (let d = 1; d <= dmax; d++) stride[`stride_${d}`] = core.stride[d]!;
  const streams = Array.from({ length: core.m }, (_, j) => ({
    pages: [core.W[core.s_p[j]!]!, core.W[core.s_p[j]! + core.s_d[j]!]!],
    d: core.s_d[j]!,
    pivot: core.s_pivot[j]!,
  }));
  const out: Record<string, unknown> = { l, d_max: dmax, ...stride, score: core.score, streams, pivots: streams.map((s) => s.pivot) };
  if (timing) {
    const N = core.zone_size(o.t0!, o.td!);
    const zone = new Int32Array(4096);
    const n = core.pick_zone(N, (v) => v !== w[l - 1], zone);
    Object.assign(out, { N, zone: [...zone.subarray(0, n)] });
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('ampom')
    .description("explain AMPoM's analysis of a lookback window (strides, score S, outstanding streams, pivots, and with timing N and the zone)")
    .requiredOption('--window <pages>', 'faulting page numbers r_1..r_l, comma-separated, oldest first')
    .option('--dmax <d>', `largest stride searched (default ${AMPOM_DMAX}, or the window length - 1 if shorter)`, numberIn('--dmax', 1, 64, true))
    .option('--rate <r>', 'paging rate r, faults per second', numberIn('--rate', 1e-9, 1e12))
    .option('--cpu <c1,..,cl>', 'CPU utilisation at each fault, 0..1')
    .option('--t0 <s>', 'one-way latency t0, seconds', numberIn('--t0', 0, 100))
    .option('--td <s>', 'time to move one page td, seconds', numberIn('--td', 0, 100))
    .option('--json', 'print JSON')
    .action((o: AmpomOpts) => {
      const r = analyze_window(o);
      if (o.json) process.stdout.write(JSON.stringify({ schema: OUTPUT_SCHEMA, ...r }, null, 2) + '\n');
      else process.stdout.write(fields_text(r, 10));
    });
}
