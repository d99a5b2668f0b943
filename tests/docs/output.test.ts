// docs/output.md against what the commands print: each section's table
// lists exactly the fields its command's JSON holds (a field printed but
// not listed fails, and so does a field listed but never printed by any of
// the section's sample runs), and the schema the JSON carries is the one
// userland/schema.ts sets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../userland/docs/blocks.ts';
import { OUTPUT_SCHEMA } from '../../userland/schema.ts';
import { bench_plan } from '../../userland/bench/plan.ts';
import { make_record, results_json } from '../../userland/bench/record.ts';
import { run_job } from '../helpers/tiny_bench.ts';
import { write_timing } from '../../userland/bench/output.ts';
import { groups_of, host_summary } from '../../userland/bench/host_time.ts';
import { config_of } from '../../userland/bench/plan.ts';
import { config_hash, normalize } from '../../userland/sweep/config.ts';
import { measure } from '../../userland/sweep/host_cost.ts';

const doc = readFileSync(join(ROOT, 'docs/output.md'), 'utf8');

/** Each `<!-- fields: KIND -->` section's listed fields, and those whose value (an object, or a list of objects) is documented whole. */
function sections(): Map<string, { fields: string[]; whole: Set<string> }> {
  const out = new Map<string, { fields: string[]; whole: Set<string> }>();
  let cur: { fields: string[]; whole: Set<string> } | null = null;
  for (const line of doc.split('\n')) {
    const m = /^<!-- fields: ([a-z-]+) -->$/.exec(line);
    if (m) out.set(m[1]!, (cur = { fields: [], whole: new Set() }));
    else if (/^## /.test(line)) cur = null;
    else if (cur && line.startsWith('| `')) {
      const [, name, type] = /^\| `([^`]+)` \| ([^|]*) \|/.exec(line) ?? [];
      if (!name) continue;
      cur.fields.push(name);
      if (/^(object|list of objects):/.test(type!.trim())) cur.whole.add(name);
    }
  }
  return out;
}

/** Every field of a JSON value, as the doc names them: a.b inside objects, a[].b inside lists of objects. */
function flatten(v: unknown, whole: Set<string>, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => (x && typeof x === 'object' && !Array.isArray(x) ? flatten(x, whole, `${prefix}[]`) : []));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => {
    const name = prefix ? `${prefix}.${k}` : k;
    return [name, ...(whole.has(name) ? [] : flatten(x, whole, name))];
  });
}

const omemu = (args: string[], cwd = ROOT): unknown => JSON.parse(execFileSync(process.execPath, [join(ROOT, 'userland/cli/omemu.js'), ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
const listed = (fields: string[], name: string): boolean => fields.some((f) => f === name || new RegExp(`^${f.replace(/[.[\]]/g, '\\$&').replace('\\{d\\}', '\\d+').replace('{d}', '\\d+')}$`).test(name));

/** Sample outputs of each section's command, enough to print every field it lists. */
function samples(): Record<string, unknown[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-output-'));
  try {
    const run = [
      omemu(['run', '--kernel', 'seqtouch', '--mib', '2', '--json']),
      omemu(['run', '--kernel', 'seqtouch', '--mib', '2', '--nodes', '3', '--faults', 'crash:2@50ms', '--json']),
    ];
    const cluster = [
      omemu(['cluster', '--nodes', '4', '--workload', 'pareto', '--jobs', '8', '--job-mib', '4-8', '--balancer', 'mosix', '--json']),
      omemu(['cluster', '--nodes', '4', '--workload', `swf:${join(ROOT, 'tests/fixtures/workloads/NASA-iPSC-1993-3.excerpt.swf')}`, '--jobs', '4', '--time-scale', '0.0001', '--job-mib', '1-2', '--balancer', 'off', '--json']),
    ];
    const chaos = [omemu(['chaos', '--runs', '1', '--json'])];
    const replay = [omemu(['chaos', '--replay', '7', '--json'])];
    const ampom = [
      omemu(['ampom', '--window', '13,27,7,8,14,8,3,15,4,5', '--rate', '2000', '--t0', '0.0001', '--td', '0.0003', '--json']),
      omemu(['explain', '--scheme', 'ampom', '--window', '13,27,7,8,14,8,3,15,4,5', '--json']),
    ];
    const explain = ['linux-ra', 'vma-ra', 'leap'].flatMap((s) => [
      omemu(['explain', '--scheme', s, '--window', '10,11,12,13,14,15,16,17,18,19', '--json']),
      omemu(['explain', '--scheme', s, '--window', '10,11,12', '--hits', '0,0,1', '--json']),
      omemu(['explain', '--scheme', s, '--window', '10,50,23,90,7,61', '--json']),
      omemu(['explain', '--scheme', s, '--window', '10', '--json']),
    ]);
    execFileSync(process.execPath, [join(ROOT, 'userland/cli/omemu.js'), 'sweep', '--kernel', 'seqtouch', '--mib', '1', '--out', 'sw'], { cwd: tmp, stdio: 'ignore' });
    const lines = (f: string): unknown[] => readFileSync(join(tmp, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const sweep = lines('sw/runs.jsonl');
    const sweep_host = lines('sw/runs.host.jsonl');
    const job = bench_plan(1 / 512).find((j) => j.kernel === 'stream' && j.scheme === 'ampom')!;
    const { value: result, cost } = measure(() => run_job(job, 1));
    const bench = [JSON.parse(results_json({ profile: 'fast-ethernet', seed: 1, scale: 1 / 512, runs: [make_record(job, result)] })) as unknown];
    // timing.json of a one-run plan, as make bench writes it.
    const config = normalize(config_of(job, 1));
    const grid = [{ index: 0, hash: config_hash(config), config }];
    const host = new Map([[grid[0]!.hash, cost]]);
    const spent = host_summary(grid, groups_of([job], 1, []), host);
    write_timing(tmp, { line: 'wall time 1.0 s', wall_s: 1, rss_MB: 100, workers: 1, runs: 1, scale: 1 / 512, load_at_start: 0, host: { ...spent, process_cpu_s: 2, main_cpu_s: 0.5, render_s: 0.1, runs: Object.fromEntries(host) } });
    const timing = [JSON.parse(readFileSync(join(tmp, 'timing.json'), 'utf8')) as unknown];
    return { run, cluster, chaos, 'chaos-replay': replay, ampom, explain, sweep, 'sweep-host': sweep_host, bench, timing };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const secs = sections();
const outs = samples();

test('docs/output.md has a section for each command that prints JSON', () => {
  assert.equal([...secs.keys()].sort(), Object.keys(outs).sort());
});

for (const [kind, sec] of secs) {
  test(`output.md's ${kind} section lists exactly the fields its JSON holds`, () => {
    const printed = new Set(outs[kind]!.flatMap((o) => flatten(o, sec.whole)));
    // chaos --replay holds every field of omemu run beside its own.
    const also = kind === 'chaos-replay' ? secs.get('run')!.fields : [];
    for (const f of printed) assert.ok(listed([...sec.fields, ...also], f), `${kind}: '${f}' is printed but not in docs/output.md`);
    for (const f of sec.fields) assert.ok([...printed].some((p) => listed([f], p)), `${kind}: '${f}' is in docs/output.md but no sample printed it`);
  });
}

test('every JSON carries the schema version, and the doc states it', () => {
  for (const kind of ['run', 'cluster', 'chaos', 'chaos-replay', 'ampom', 'explain', 'bench', 'timing']) {
    for (const o of outs[kind]!) assert.is((o as { schema?: number }).schema, OUTPUT_SCHEMA, kind);
  }
  for (const o of outs.sweep!) assert.is((o as { result: { schema: number } }).result.schema, OUTPUT_SCHEMA);
  assert.ok(doc.includes(`"schema": ${OUTPUT_SCHEMA}`) || doc.includes('<!-- generated: output-schema'), 'the doc says which schema');
});

test('the check fails on a field the doc does not list', () => {
  const sec = secs.get('chaos')!;
  assert.not.ok(listed(sec.fields, 'surprise_field'));
  assert.ok(listed(secs.get('ampom')!.fields, 'stride_3'), 'a pattern field');
});

test.run();
