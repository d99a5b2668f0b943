// What each generated block of the docs says (blocks.ts says what a block
// is). The bench's figures and numbers come from docs/data/bench.json, a
// snapshot of `make bench` (bench_data.ts); the others run the command they
// quote (the built omemu, as a user would) or read the code's own tables.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTIONS } from '../bench/captions.ts';
import { cluster_md } from '../bench/cluster_fig.ts';
import { PAPER } from '../bench/paper_values.ts';
import { calibration, table1 } from '../bench/report.ts';
import { wire_floor } from '../bench/report_beyond.ts';
import type { BenchRecord } from '../bench/record.ts';
import { check_targets, type Check } from '../bench/targets.ts';
import { POLICIES } from '../../om/state.ts';
import { OUTPUT_SCHEMA } from '../schema.ts';
import { ROOT } from './blocks.ts';
import { snapshot } from './bench_data.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const KERNELS = ['dgemm', 'stream', 'randomaccess', 'fft'];
const KNAME: Record<string, string> = { dgemm: 'DGEMM', stream: 'STREAM', randomaccess: 'RandomAccess', fft: 'FFT' };

function checks(): Check[] {
  return check_targets(snapshot().runs);
}

/** The targets of one figure ('5' ... '11', or 'beyond'): what, the paper, omemu, whether it holds, and why not. */
function targets_table(figure: string): string {
  const cs = checks().filter((c) => c.figure === figure);
  const L = ['| target | paper | omemu | holds | why not |', '|---|---|---|---|---|'];
  for (const c of cs) L.push(`| ${cell(c.what)} | ${cell(c.paper)} | ${cell(c.emulated)} | ${c.holds ? 'yes' : '**no**'} | ${c.holds ? '' : cell(c.why)} |`);
  return L.join('\n');
}

/** A figure as the docs show it (the path from the file that shows it), with its caption; a figure newer than the docs' snapshot of make bench is named, not shown. */
function figure(name: string, dir: string): string {
  const c = CAPTIONS[name]!;
  if (!existsSync(join(ROOT, 'docs/img', `${name}.png`))) return `*${c.title}.* ${c.text} (\`make bench\` draws it into \`bench-out/${name}.png\`; \`make docs-figures\` brings it here.)`;
  return `![${c.title}](${dir}${name}.png)\n\n*${c.title}.* ${c.text}`;
}

function bench_cost(): string {
  const t = snapshot().timing;
  return [
    `Measured on ${t.date}, the whole plan (${t.runs} distinct runs) from nothing on a ${t.cores}-core machine ` +
      `whose load average was ${t.load_at_start.toFixed(1)} when it started (other work shared it: on an idle machine it is faster). ` +
      'Its last line:',
    '',
    '```',
    t.line,
    '```',
  ].join('\n');
}

function targets_summary(): string {
  const cs = checks();
  const paper = cs.filter((c) => c.figure !== 'beyond');
  const beyond = cs.filter((c) => c.figure === 'beyond');
  const hold = (xs: Check[]) => xs.filter((c) => c.holds).length;
  return `${hold(cs)} of ${cs.length} targets hold: ${hold(paper)} of the paper's ${paper.length} and ${hold(beyond)} of the ${beyond.length} goals set beyond it.`;
}

/** A few of the targets, for the README: the freeze the paper leads with, the cost of a remote fault, prefetching, the network, the analysis. */
const HEADLINE = [
  'DGEMM 575 MB freeze, openMosix', 'DGEMM 575 MB freeze, AMPoM', 'dgemm largest, NoPrefetch over openMosix', 'stream largest, requests AMPoM prevents',
  'DGEMM 115 MB, AMPoM / openMosix at 6 Mb/s', 'AMPoM analysis time, worst run, % of runtime',
];
function headline(): string {
  const cs = checks();
  const L = ['| target | paper | omemu | holds |', '|---|---|---|---|'];
  for (const w of HEADLINE) {
    const c = cs.find((x) => x.what === w);
    if (c) L.push(`| Fig ${c.figure}: ${cell(c.what)} | ${cell(c.paper)} | ${cell(c.emulated)} | ${c.holds ? 'yes' : '**no**'} |`);
  }
  return L.join('\n');
}

const run_of = (kernel: string, scheme: string, figure = 'schemes'): BenchRecord | undefined => snapshot().runs.find((r) => r.figure === figure && r.kernel === kernel && r.scheme === scheme);
const s3 = (x: number | null): string => (x === null ? '-' : x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));

/** Figure 5's calibrated point: the 575 MB DGEMM's freeze under the paper's three. */
function calibration_freeze(): string {
  const L = ['| scheme | freeze (omemu) | paper (Fig. 5, 575 MB DGEMM) |', '|---|---|---|'];
  for (const s of ['openmosix', 'noprefetch', 'ampom'] as const) {
    const r = snapshot().runs.find((x) => x.figure === 'fig5-8' && x.kernel === 'dgemm' && x.size_mib === 575 && x.scheme === s);
    L.push(`| ${s} | ${r ? `${s3(r.freeze_s)} s` : '-'} | ${PAPER.fig5_dgemm575_freeze_s[s]} s |`);
  }
  return L.join('\n');
}

/** Every scheme at each kernel's largest size. */
function schemes_table(): string {
  const L = ['| kernel (MB) | scheme | freeze s | runtime s | over openMosix | requests | total migration s |', '|---|---|---|---|---|---|---|'];
  for (const k of KERNELS) {
    const om = run_of(k, 'openmosix');
    POLICIES.forEach((s, i) => {
      const r = run_of(k, s);
      if (!r || !om) return;
      const head = i === 0 ? `${KNAME[k]} ${r.size_mib}` : '';
      if (r.freeze_s === null) {
        L.push(`| ${head} | ${s} | did not migrate (ran at its source) | ${s3(r.runtime_s)} | | | |`);
        return;
      }
      const over = s === 'openmosix' ? '' : `${((100 * r.runtime_s) / om.runtime_s - 100 >= 0 ? '+' : '')}${((100 * r.runtime_s) / om.runtime_s - 100).toFixed(1)}%`;
      L.push(`| ${head} | ${s} | ${s3(r.freeze_s)} | ${s3(r.runtime_s)} | ${over} | ${r.remote_fault_requests} | ${r.total_migration_s === null ? 'pages left at home' : s3(r.total_migration_s)} |`);
    });
  }
  return L.join('\n');
}

/** The lackey recordings of walk.c converted and replayed under five schemes, with the built omemu. */
function walk_replay(): string {
  const omemu = join(ROOT, 'userland/cli/omemu.js');
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-docs-'));
  const L = ['| walk | scheme | requests | prefetched | used | never used | in flight at exit |', '|---|---|---|---|---|---|---|'];
  try {
    const meta = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/lackey/meta.json'), 'utf8')) as Record<string, { migrate_at: number }>;
    for (const walk of ['seq', 'rand']) {
      const trace = join(tmp, `w-${walk}.ompt.gz`);
      execFileSync(process.execPath, [omemu, 'trace', 'from-lackey', join(ROOT, `tests/fixtures/lackey/walk-${walk}.lackey.gz`), '--migrate-at', String(meta[walk]!.migrate_at), '-o', trace], { stdio: ['ignore', 'ignore', 'ignore'] });
      const out = execFileSync(process.execPath, [omemu, 'replay', trace, '--scheme', 'noprefetch,ampom,linux-ra,vma-ra,leap', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      for (const r of JSON.parse(out) as Record<string, number | string>[]) {
        L.push(`| ${walk === 'seq' ? 'sequential' : 'random'} | ${r.scheme} | ${r.remote_fault_requests} | ${r.prefetched_pages} | ${r.prefetch_hits} | ${r.wasted_prefetch} | ${r.prefetch_in_flight} |`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return L.join('\n');
}

/** Run the built omemu in `cwd` as a user would, and give what it printed on stdout. */
function omemu(args: string[], cwd: string): string {
  return execFileSync(process.execPath, [join(ROOT, 'userland/cli/omemu.js'), ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** A command of the README's tour and what it printed, in a temporary folder (the files it names are made there first). */
function tour(args: string[], opts: { before?: string[][]; lines?: (out: string) => string } = {}): string {
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-tour-'));
  try {
    for (const b of opts.before ?? []) omemu(b, tmp);
    const out = omemu(args, tmp);
    return ['```', `$ omemu ${args.join(' ')}`, (opts.lines ?? ((x: string) => x))(out).replace(/\n+$/, ''), '```'].join('\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const WALK_SEQ = (): string[] => ['trace', 'from-lackey', join(ROOT, 'tests/fixtures/lackey/walk-seq.lackey.gz'), '--migrate-at', '69453', '-o', 'walk.ompt.gz'];

const TOUR: Record<string, () => string> = {
  'tour-run': () => tour(['run', '--kernel', 'stream', '--mib', '8', '--scheme', 'paper']),
  'tour-replay': () => tour(['replay', 'walk.ompt.gz', '--scheme', 'noprefetch,ampom'], { before: [WALK_SEQ()] }),
  'tour-cluster': () => tour(['cluster', '--nodes', '4', '--workload', 'pareto', '--jobs', '8', '--job-mib', '4-8', '--balancer', 'mosix']),
  'tour-sweep': () => {
    const tmp = mkdtempSync(join(tmpdir(), 'omemu-tour-'));
    try {
      const args = ['sweep', '--kernel', 'stream,dgemm', '--mib', '4', '--scheme', 'noprefetch,ampom', '--out', 'sw'];
      omemu(args, tmp);
      const [head, ...rows] = readFileSync(join(tmp, 'sw/runs.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
      const cols = ['hash', 'kernel', 'scheme', 'freeze_s', 'runtime_s', 'remote_fault_requests', 'verified'].map((c) => head!.indexOf(c));
      return ['```', `$ omemu ${args.join(' ')}`, '$ cut -d, -f' + cols.map((c) => c + 1).join(',') + ' sw/runs.csv', ...[head!, ...rows].map((r) => cols.map((c) => r[c]).join(',')), '```'].join('\n');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
  // The slowest run's host time is the one line that depends on the machine: left out.
  'tour-chaos': () => tour(['chaos', '--runs', '1'], { lines: (out) => out.split('\n').filter((l) => !/host time/.test(l)).join('\n') }),
};

/** `make help`, as the Makefile's own comments give it. */
function make_help(): string {
  const mk = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  const L = ['| target | what it does |', '|---|---|'];
  for (const m of mk.matchAll(/^([a-z-]+):.*## (.*)$/gm)) L.push(`| \`make ${m[1]}\` | ${cell(m[2]!.replace(/`/g, "'"))} |`);
  return L.join('\n');
}

const GENERATORS: Record<string, () => string> = {
  'bench-cost': bench_cost,
  'bench-targets-summary': targets_summary,
  'bench-headline': headline,
  'calibration-freeze': calibration_freeze,
  'model-inputs': () => calibration().join('\n'),
  'table1': () => table1(snapshot().runs, 1).join('\n'),
  'schemes-table': schemes_table,
  'wire-floor': () => wire_floor(snapshot().runs).join('\n'),
  'cluster-results': () => cluster_md(snapshot().cluster).slice(2).join('\n').trim(),
  'walk-replay': walk_replay,
  'make-help': make_help,
  'output-schema': () => `Every JSON object omemu prints carries \`"schema": ${OUTPUT_SCHEMA}\`: the version of the fields below. It goes up when a field is removed, renamed or changes its meaning or unit; a new field keeps it.`,
  'readme-figure': () => figure('fig5', 'docs/img/'),
};
Object.assign(GENERATORS, TOUR);
for (const f of ['5', '6', '7', '8', '9', '10', '11', 'beyond']) GENERATORS[`targets-${f}`] = () => targets_table(f);
for (const f of Object.keys(CAPTIONS)) GENERATORS[`figure-${f}`] = () => figure(f, 'img/');

export const BLOCK_NAMES = Object.keys(GENERATORS);

/** What block `name` says now. */
export async function generate(name: string): Promise<string> {
  const g = GENERATORS[name];
  if (!g) throw new Error(`no generator for block '${name}' (userland/docs/generators.ts has ${BLOCK_NAMES.join(', ')})`);
  return g();
}
