// `omemu explain --scheme S --window ...`: what a prefetcher would request at
// the last fault of a window of faults given by hand, and why.
//
// AMPoM is the analysis of `omemu ampom`. For linux-ra, vma-ra and leap the
// window is replayed through the scheme itself on a small address space:
// every page of the VMA is held remotely except --holes (pages that never
// existed). A fault on a page that an earlier fault's zone brought is a
// readahead hit (no readahead runs at it); any other is a miss. --hits gives
// that flag per fault instead.
import { OUTPUT_SCHEMA } from '../schema.ts';
import type { Command } from 'commander';
import { AMPOM_DMAX } from '../../mm/ampom.ts';
import { LinuxRa, WALK_REASONS } from '../../mm/linux_ra.ts';
import { Leap, LEAP_FALLBACK, LEAP_TREND } from '../../mm/leap.ts';
import { PAGE_SIZE, TASK_SIZE } from '../../mm/pgtable.ts';
import type { PrefetchCtx, Prefetcher } from '../../mm/prefetch.ts';
import { PLACEMENTS, PTRS_PER_PTE, VmaRa } from '../../mm/vma_ra.ts';
import { analyze_window } from './cmd_ampom.ts';
import { fields_text } from './format.ts';
import { numberIn, UsageError } from './usage.ts';

export const EXPLAIN_SCHEMES = ['ampom', 'linux-ra', 'vma-ra', 'leap'] as const;
type Scheme = (typeof EXPLAIN_SCHEMES)[number];

export interface ExplainOpts {
  scheme: string;
  window: string;
  hits?: string;
  vma?: string;
  holes?: string;
  dmax?: number;
  rate?: number;
  cpu?: string;
  t0?: number;
  td?: number;
  json?: boolean;
}

/** A comma-separated list of whole numbers >= min, or a one-line error naming the option and the item. */
function ints(name: string, v: string, min: number): number[] {
  const xs = v.split(',').map((s) => s.trim());
  return xs.map((s, i) => {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${name}: item ${i + 1} ('${s}') is not a whole number >= ${min}`);
    return n;
  });
}

const TOP_PAGE = TASK_SIZE / PAGE_SIZE;

interface Step {
  vpn: number;
  kind: 'miss' | 'hit';
  zone: number[];
}

/** Replay the window through a Linux-family scheme; returns each fault's kind and zone. */
function replay(pf: Prefetcher, w: number[], flags: number[] | null, vma: { start: number; end: number }, holes: Set<number>): Step[] {
  const local = new Set<number>();
  const cache = new Map<number, boolean>(); // brought by a zone, not touched yet
  const inside = (v: number) => v >= vma.start && v < vma.end;
  const out = new Int32Array(64);
  const steps: Step[] = [];
  w.forEach((vpn, i) => {
    const hit = flags ? flags[i] === 1 : cache.get(vpn) === true;
    const miss = flags ? !hit : !cache.has(vpn);
    const ctx: PrefetchCtx = {
      now_ns: i, vpn, cpu_util: 1, t0_ns: 0, td_ns: 0,
      vma_start: vma.start, vma_end: vma.end, miss, hit,
      exists: (v) => inside(v) && !holes.has(v),
      wanted: (v) => inside(v) && !holes.has(v) && !local.has(v) && !cache.has(v),
    };
    const n = pf.on_fault(ctx, out);
    const zone = [...out.subarray(0, n)];
    cache.delete(vpn);
    local.add(vpn);
    for (const z of zone) cache.set(z, true);
    steps.push({ vpn, kind: miss ? 'miss' : 'hit', zone });
  });
  return steps;
}

function why_linux_ra(ra: LinuxRa, vma_start: number): Record<string, unknown> {
  if (!ra.ran) return { readahead: 'none: a swap-cache hit reads nothing ahead' };
  const first = vma_start + ra.base;
  return {
    offset: ra.offset,
    cluster_base: ra.base,
    cluster: [first, first + 7],
    walked: ra.valid,
    walk_stopped: ra.stop_vpn < 0 ? WALK_REASONS[ra.stop_reason] : `at ${ra.stop_vpn}: ${WALK_REASONS[ra.stop_reason]}`,
    ra_hits: ra.ra_hits,
  };
}

function why_vma_ra(ra: VmaRa, vpn: number, vma: { start: number; end: number }): Record<string, unknown> {
  if (!ra.ran) {
    const s = ra.state(vma.start);
    return { readahead: 'none: a swap-cache hit reads nothing ahead', hits_now: s.hits, window_kept: s.win };
  }
  const pmd = vpn - (vpn % PTRS_PER_PTE);
  return {
    previous_fault: ra.last_prev,
    hits: ra.last_hits,
    previous_window: ra.last_prev_win,
    window: ra.last_win,
    placement: PLACEMENTS[ra.placement],
    ...(ra.last_win > 1 ? { range: [ra.left, ra.right], clamped: [ra.start, ra.end], vma: [vma.start, vma.end], pmd: [pmd, pmd + PTRS_PER_PTE] } : {}),
  };
}

function why_leap(lp: Leap, steps: Step[]): Record<string, unknown> {
  const history = Array.from({ length: lp.count }, (_, i) => lp.delta(i));
  const base = { history_newest_first: history, ra_hits: lp.ra_hits };
  if (steps[steps.length - 1]!.kind === 'hit') return { ...base, readahead: 'none: a swap-cache hit reads nothing ahead (the fault is logged)' };
  const vote = lp.depth > 0 ? { majority_candidate: lp.major_delta, count: lp.major_count, of: lp.depth } : { majority_candidate: null };
  return {
    ...base,
    window: lp.win,
    hits_used: lp.win_hits,
    ...vote,
    trend: lp.mode === LEAP_TREND ? `delta ${lp.major_delta} found in the newest ${lp.depth} deltas (${lp.major_count} > ${lp.depth / 2})` : 'none in the newest 8, 16 or 32: readahead',
    ...(lp.mode === LEAP_FALLBACK ? { readahead_block: [lp.base, lp.base + lp.win - 1] } : {}),
  };
}

export function explain(o: ExplainOpts): Record<string, unknown> {
  if (!(EXPLAIN_SCHEMES as readonly string[]).includes(o.scheme)) throw new UsageError(`--scheme must be one of ${EXPLAIN_SCHEMES.join(', ')}, got '${o.scheme}'`);
  const scheme = o.scheme as Scheme;
  const timing = o.rate !== undefined || o.cpu !== undefined || o.t0 !== undefined || o.td !== undefined || o.dmax !== undefined;
  if (scheme === 'ampom') {
    if (o.hits !== undefined || o.vma !== undefined || o.holes !== undefined) throw new UsageError('--hits, --vma and --holes apply to linux-ra, vma-ra and leap, not ampom');
    return { scheme, ...analyze_window({ window: o.window, dmax: o.dmax ?? AMPOM_DMAX, rate: o.rate, cpu: o.cpu, t0: o.t0, td: o.td }) };
  }
  if (timing) throw new UsageError('--dmax, --rate, --cpu, --t0 and --td apply to ampom only');
  const w = ints('--window', o.window, 0);
  const [vs, ve] = o.vma !== undefined ? ints('--vma', o.vma, 0) : [0, TOP_PAGE];
  if (o.vma !== undefined && (ints('--vma', o.vma, 0).length !== 2 || !(vs! < ve!) || ve! > TOP_PAGE)) {
    throw new UsageError(`--vma must be START,END page numbers with START < END <= ${TOP_PAGE}, got '${o.vma}'`);
  }
  const vma = { start: vs!, end: ve! };
  w.forEach((v, i) => {
    if (v < vma.start || v >= vma.end) throw new UsageError(`--window: item ${i + 1} (${v}) is outside the VMA [${vma.start}, ${vma.end})`);
    const j = w.indexOf(v);
    if (j < i) throw new UsageError(`--window: items ${j + 1} and ${i + 1} are both page ${v} (a page faults once; after that it is mapped)`);
  });
  const holes = new Set(o.holes !== undefined ? ints('--holes', o.holes, 0) : []);
  const bad = w.findIndex((v) => holes.has(v));
  if (bad >= 0) throw new UsageError(`--window: item ${bad + 1} (${w[bad]}) is in --holes (a page that never existed is no remote fault)`);
  let flags: number[] | null = null;
  if (o.hits !== undefined) {
    flags = ints('--hits', o.hits, 0);
    if (flags.length !== w.length) throw new UsageError(`--hits gives ${flags.length} flags for a window of ${w.length} faults`);
    const nf = flags.findIndex((f) => f > 1);
    if (nf >= 0) throw new UsageError(`--hits: item ${nf + 1} must be 0 (a miss) or 1 (a readahead hit), got ${flags[nf]}`);
  }
  const pf = scheme === 'linux-ra' ? new LinuxRa() : scheme === 'vma-ra' ? new VmaRa() : new Leap();
  const steps = replay(pf, w, flags, vma, holes);
  const last = steps[steps.length - 1]!;
  const why =
    pf instanceof LinuxRa ? why_linux_ra(pf, vma.start) : pf instanceof VmaRa ? why_vma_ra(pf, last.vpn, vma) : why_leap(pf as Leap, steps);
  return {
    scheme,
    faults: steps.map((s) => `${s.vpn}:${s.kind}${s.kind === 'miss' ? `+${s.zone.length}` : ''}`),
    fault: last.vpn,
    kind: last.kind,
    vma: [vma.start, vma.end],
    ...why,
    zone: last.zone,
    analysis_ops: pf.analysis_ops,
  };
}

function print(r: Record<string, unknown>, json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify({ schema: OUTPUT_SCHEMA, ...r }, null, 2) + '\n');
  else process.stdout.write(fields_text(r, 21));
}

export function register(program: Command): void {
  program
    .command('explain')
    .description('explain the zone a prefetcher would request at the last fault of a window, and why (ampom, linux-ra, vma-ra, leap)')
    .requiredOption('--scheme <s>', `the prefetcher: ${EXPLAIN_SCHEMES.join(', ')}`)
    .requiredOption('--window <pages>', 'faulting page numbers, comma-separated, oldest first')
    .option('--hits <flags>', 'linux-ra, vma-ra, leap: per fault, 1 for a readahead hit (a first use of a prefetched page) or 0 for a miss (default: derived by replaying the window)')
    .option('--vma <start,end>', 'linux-ra, vma-ra, leap: the VMA as page numbers [start, end) (default: the whole user space)')
    .option('--holes <pages>', 'linux-ra, vma-ra, leap: pages of the VMA that never existed')
    .option('--dmax <d>', `ampom: largest stride searched (default ${AMPOM_DMAX})`, numberIn('--dmax', 1, 64, true))
    .option('--rate <r>', 'ampom: paging rate r, faults per second', numberIn('--rate', 1e-9, 1e12))
    .option('--cpu <c1,..,cl>', 'ampom: CPU utilisation at each fault, 0..1')
    .option('--t0 <s>', 'ampom: one-way latency t0, seconds', numberIn('--t0', 0, 100))
    .option('--td <s>', 'ampom: time to move one page td, seconds', numberIn('--td', 0, 100))
    .option('--json', 'print JSON')
    .action((o: ExplainOpts) => print(explain(o), o.json));
}
