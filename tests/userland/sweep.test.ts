// omemu sweep's parts: the configuration's hash, the grid's order, shards
// and Slurm array tasks, and runs written, resumed and merged byte for byte.
import { test } from 'uvu';
import type { RunResult } from '../../userland/experiment.ts';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICIES } from '../../om/state.ts';
import { canonical_json, ConfigError, config_hash, FIELDS, normalize, PAPER_SCHEMES } from '../../userland/sweep/config.ts';
import { expand_grid } from '../../userland/sweep/grid.ts';
import { merge_dirs } from '../../userland/sweep/merge.ts';
import { read_records, records_csv, type SweepRecord } from '../../userland/sweep/records.ts';
import { choose_shard, in_shard, parse_shard, slurm_shard, WHOLE } from '../../userland/sweep/shard.ts';
import { run_sweep, type SweepOptions } from '../../userland/sweep/sweep.ts';

const tmp = mkdtempSync(join(tmpdir(), 'omemu-sweep-'));
let dirs = 0;
const fresh = (): string => join(tmp, `d${dirs++}`);
const throws = (f: () => unknown, re: RegExp): void => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${e}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`no error matching ${re}`);
};
const rejects = async (f: () => Promise<unknown>, re: RegExp): Promise<void> => {
  try {
    await f();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`no error matching ${re}`);
};

// A small grid that runs in well under a second a run.
const GRID = expand_grid([{ kernel: 'seqtouch', mib: [0.25, 0.5], scheme: 'paper', seed: [1, 2] }]);
const quiet: Partial<SweepOptions> = { workers: 0, progress: false, keep_sigint: true, log: () => {} };
const sweep = (out: string, o: Partial<SweepOptions> = {}) => run_sweep(GRID, { out, shard: WHOLE, ...quiet, ...o } as SweepOptions);
const bytes = (p: string): string => readFileSync(p, 'utf8');

// ---- the configuration and its hash ----

const field_values: Record<string, fc.Arbitrary<unknown>> = {
  kernel: fc.constantFrom('stream', 'dgemm', 'seqtouch'),
  mib: fc.constantFrom(1, 2.5, 64, 575),
  mode: fc.constantFrom('fast', 'exact'),
  scheme: fc.constantFrom(...POLICIES),
  bandwidth: fc.constantFrom(null, 6, 100),
  latency: fc.constantFrom(null, 0.06, 20),
  seed: fc.integer({ min: 0, max: 1000 }),
};
const partial = fc.record(field_values, { requiredKeys: [] });

test('records: a line that is not a record is a user error naming the file and line; a last line cut short is dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-rec-'));
  const f = join(dir, 'runs.jsonl');
  writeFileSync(f, '{"hash":"a","build":"b","config":{},"result":{}}\nnot json\n');
  assert.throws(() => read_records(f), (e: Error) => e instanceof ConfigError && e.message === `${f}:2: not a JSON record`);
  writeFileSync(f, '{"hash":"a"}\n');
  assert.throws(() => read_records(f), (e: Error) => e instanceof ConfigError && /:1: a record needs hash, build, config and result/.test(e.message));
  writeFileSync(f, '{"hash":"a","build":"b","config":{},"result":{}}\n{"hash":"a","bu');
  const r = read_records(f);
  assert.is(r.lines.length, 1);
  assert.ok(r.truncated);
  rmSync(dir, { recursive: true });
});

test('hash: the same for any key order and for defaults written out or left out', () => {
  check(
    fc.property(partial, fc.infiniteStream(fc.double()), (p, noise) => {
      const h = config_hash(normalize(p));
      const keys = Object.keys(p).sort(() => (noise.next().value < 0.5 ? -1 : 1));
      assert.is(config_hash(normalize(Object.fromEntries(keys.map((k) => [k, p[k as keyof typeof p]])))), h);
      const with_defaults = { ...Object.fromEntries(FIELDS.map((f) => [f.name, f.default])), ...p };
      assert.is(config_hash(normalize(with_defaults)), h);
    }),
  );
});

test('hash: any one field changed changes it', () => {
  check(
    fc.property(partial, fc.constantFrom(...Object.keys(field_values)), (p, k) => {
      const c = normalize(p);
      const v = c[k as keyof typeof c];
      const other = { ...c, [k]: v === null ? 1 : typeof v === 'number' ? v + 1 : `${v}x` };
      assert.is.not(config_hash(normalize(other)), config_hash(c));
    }),
  );
});

test('hash: pinned for one config, so a change of the canonical form (which orphans every record) is seen', () => {
  const c = normalize({ kernel: 'seqtouch', mib: 1, scheme: 'openmosix' });
  assert.is(canonical_json(c), '{"kernel":"seqtouch","mib":1,"scheme":"openmosix"}');
  assert.is(config_hash(c), '3c93140f48c195d6');
});

test('normalize: one way to write a run; unknown fields and wrong types are named', () => {
  assert.is(normalize({ kernel: 'dgemm', mib: 8, working_set: 8 }).working_set, null, 'a working set of all of it is none');
  throws(() => normalize({ bandwith: 6 }), /unknown field 'bandwith'/);
  throws(() => normalize({ mib: '8' }), /mib must be a number, got "8"/);
  throws(() => normalize({ seed: 1.5 }), /seed must be an integer/);
  throws(() => normalize({ kind: 'swarm' }), /kind must be one of migration, cluster/);
});

// ---- the grid ----

test('grid: blocks in order, fields in FIELDS order (first slowest, seed fastest), values as written', () => {
  const g = expand_grid([{ seed: [2, 1], mib: [4, 1], kernel: ['stream', 'seqtouch'] }]);
  const got = g.map((r) => `${r.config.kernel}/${r.config.mib}/${r.config.seed}`);
  assert.equal(got, [
    'stream/4/2', 'stream/4/1', 'stream/1/2', 'stream/1/1',
    'seqtouch/4/2', 'seqtouch/4/1', 'seqtouch/1/2', 'seqtouch/1/1',
  ]);
  assert.equal(g.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('grid: all is every scheme om/ knows, paper the three; a run seen again keeps its first place', () => {
  assert.equal(expand_grid([{ kernel: 'seqtouch', scheme: 'all' }]).map((r) => r.config.scheme), POLICIES);
  assert.equal(expand_grid([{ kernel: 'seqtouch', scheme: 'paper' }]).map((r) => r.config.scheme), PAPER_SCHEMES);
  const g = expand_grid([{ kernel: 'seqtouch', mib: [1, 2, 1] }, { kernel: 'seqtouch', mib: [3, 2] }]);
  assert.equal(g.map((r) => r.config.mib), [1, 2, 3]);
});

test('grid: a run that cannot run is an error naming its block and run, before anything runs', () => {
  throws(() => expand_grid([{ kernel: 'seqtouch' }, { kernel: 'fft', mib: [1, 0.0001] }], 'g.json'), /g\.json, block 2: run 2 \(kernel=fft mib=0\.0001.*too small/);
  throws(() => expand_grid([{ kernel: 'stream', working_set: 1 }]), /working set applies to dgemm only/);
  throws(() => expand_grid([{ kernel: 'stream', preempt: 'yes' }]), /preempt must be on, off or null \(the scheme's default\), got 'yes'/);
  throws(() => expand_grid([{ kernel: 'seqtouch', bandwidth: 0.001 }]), /infoD needs/);
  throws(() => expand_grid([{ kernel: 'seqtouch', scheme: 'nope' }]), /scheme must be one of/);
  throws(() => expand_grid([{ kernel: 'seqtouch', mib: [] }]), /lists no values/);
});

// ---- shards ----

test('shards: N shards split any grid into disjoint parts that cover it, shard I taking index mod N = I', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), (len, n) => {
      const seen = new Array<number>(len).fill(0);
      for (let i = 0; i < n; i++) {
        const s = parse_shard(`${i}/${n}`);
        for (let k = 0; k < len; k++) if (in_shard(k, s)) seen[k]! += 1 + (k % n === i ? 0 : 100);
      }
      assert.ok(seen.every((x) => x === 1));
    }),
  );
  throws(() => parse_shard('4/4'), /I must be from 0 to N-1/);
  throws(() => parse_shard('1of4'), /must be I\/N/);
});

test('Slurm: the shard is the task\'s place in the array: (ID - MIN) / STEP of COUNT', () => {
  assert.is(slurm_shard({}), null, 'outside an array');
  assert.is(slurm_shard({ SLURM_ARRAY_TASK_ID: '3' }), null, 'no COUNT: not an array we can split');
  const at = (env: Record<string, string>) => {
    const s = slurm_shard(env)!;
    return `${s.index}/${s.count}`;
  };
  assert.is(at({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' }), '2/4', 'MIN defaults to 0');
  assert.is(at({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }), '0/4', '--array=1-4');
  assert.is(at({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }), '3/4');
  assert.is(at({ SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '2' }), '2/4', '--array=10-16:2');
  throws(() => slurm_shard({ SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' }), /--array=A-B\[:S\] or pass --shard/);
  throws(() => slurm_shard({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '3' }), /SLURM_ARRAY_TASK_ID must be a whole number/);
  const env = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' };
  assert.is(choose_shard('0/3', env).count, 3, '--shard wins over the array');
  assert.is(choose_shard(undefined, env).index, 1);
  assert.is(choose_shard(undefined, {}).count, 1);
});

// ---- running, resuming, merging ----

const whole = fresh();
const whole_run = await sweep(whole);

test('a sweep writes the grid, a record a run in grid order, and a CSV', () => {
  assert.is(whole_run.ran, GRID.length);
  const lines = bytes(join(whole, 'runs.jsonl')).trimEnd().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as SweepRecord);
  assert.equal(recs.map((r) => r.hash), GRID.map((r) => r.hash));
  for (const r of recs) {
    assert.equal(Object.keys(r), ['hash', 'build', 'config', 'result']);
    assert.equal(Object.keys(r.config), FIELDS.map((f) => f.name), 'every config field, in FIELDS order');
    const res = r.result as RunResult;
    assert.ok(res.verified && res.outcome === 'completed', res.failures.join('; '));
  }
  const csv = bytes(join(whole, 'runs.csv')).trimEnd().split('\n');
  assert.is(csv.length, GRID.length + 1);
  assert.ok(csv[0]!.startsWith(`hash,${FIELDS.map((f) => f.name).join(',')},schema,program,result.mode`), 'config columns, then the result\'s');
  assert.ok(csv[1]!.includes('exit-status;migrations;'), 'a list of plain values joined with ;');
});

test('worker threads give the same bytes as running on this thread', async () => {
  const d = fresh();
  await sweep(d, { workers: 2 });
  assert.is(bytes(join(d, 'runs.jsonl')), bytes(join(whole, 'runs.jsonl')));
});

test('sharded 3 ways and merged: byte-identical records and CSV', async () => {
  const d = fresh();
  for (let i = 0; i < 3; i++) await sweep(d, { shard: parse_shard(`${i}/3`) });
  const m = merge_dirs([d]);
  assert.is(m.lines.join(''), bytes(join(whole, 'runs.jsonl')));
  assert.is(records_csv(m.records), bytes(join(whole, 'runs.csv')));
  // The shards may as well be in directories of their own (run on other machines).
  const a = fresh();
  const b = fresh();
  await sweep(a, { shard: parse_shard('0/2') });
  await sweep(b, { shard: parse_shard('1/2') });
  assert.is(merge_dirs([b, a]).lines.join(''), bytes(join(whole, 'runs.jsonl')));
});

test('resume: an interrupted sweep (records out of order, a line cut short) runs only what is missing, same bytes', async () => {
  const d = fresh();
  mkdirSync(d);
  copyFileSync(join(whole, 'grid.jsonl'), join(d, 'grid.jsonl'));
  const lines = bytes(join(whole, 'runs.jsonl')).trimEnd().split('\n');
  writeFileSync(join(d, 'runs.jsonl'), [lines[5], lines[1], lines[8]].join('\n') + '\n' + lines[2]!.slice(0, 40));
  const notes: string[] = [];
  const r = await sweep(d, { log: (m) => notes.push(m) });
  assert.is(r.reused, 3);
  assert.is(r.ran, GRID.length - 3);
  assert.ok(notes.some((n) => n.includes('cut short')), 'the cut line is reported');
  assert.is(bytes(join(d, 'runs.jsonl')), bytes(join(whole, 'runs.jsonl')));
  const again = await sweep(d);
  assert.is(again.ran, 0, 'a finished sweep runs nothing');
});

test('resume refuses records it cannot trust: another grid, another build, a run not in the shard', async () => {
  await rejects(() => run_sweep(GRID.slice(1), { out: whole, shard: WHOLE, ...quiet } as SweepOptions), /holds the records of another grid/);
  const d = fresh();
  await sweep(d, { shard: parse_shard('0/2') });
  const f = join(d, 'runs-0-of-2.jsonl');
  const text = bytes(f);
  writeFileSync(f, text.replace(/"build":"[0-9a-f]+"/, '"build":"000000000000"'));
  await rejects(() => sweep(d, { shard: parse_shard('0/2') }), /records? (was|were) made by another build of omemu \(000000000000/);
  const restarted = await sweep(d, { shard: parse_shard('0/2'), on_stale: 'restart' });
  assert.is(restarted.ran, restarted.planned, 'make bench runs them again');
  assert.is(bytes(f), text);
  appendFileSync(f, bytes(join(whole, 'runs.jsonl')).split('\n')[1] + '\n');
  await rejects(() => sweep(d, { shard: parse_shard('0/2') }), /runs-0-of-2\.jsonl:\d+: run \w+ is not one of this shard's runs/);
});

test("make bench's tiers share a directory: a grid that grows keeps the runs both hold, one that shrinks keeps its own", async () => {
  const d = fresh();
  const small = GRID.filter((r) => r.config.seed === 1);
  const restart = { out: d, shard: WHOLE, ...quiet, on_stale: 'restart' } as SweepOptions;
  const first = await run_sweep(small, restart);
  assert.is(first.ran, small.length);
  const notes: string[] = [];
  const grown = await run_sweep(GRID, { ...restart, log: (m) => notes.push(m) });
  assert.is(grown.reused, small.length, 'the smaller grid\'s runs are kept');
  assert.is(grown.ran, GRID.length - small.length);
  assert.ok(notes.some((n) => n.includes(`keeping the ${small.length} of them`)), notes.join('; '));
  assert.is(bytes(join(d, 'runs.jsonl')), bytes(join(whole, 'runs.jsonl')), 'the same bytes as a sweep of the whole grid');
  const shrunk = await run_sweep(small, restart);
  assert.is(shrunk.ran, 0, 'every run of the smaller grid is still there');
  // Records of another build are never kept across a grid change.
  const f = join(d, 'runs.jsonl');
  writeFileSync(f, bytes(f).replace(/"build":"[0-9a-f]+"/g, '"build":"000000000000"'));
  const regrown = await run_sweep(GRID, restart);
  assert.is(regrown.ran, GRID.length);
});

test('merge: a missing run, a whole missing shard and a run recorded twice are named', async () => {
  const d = fresh();
  for (let i = 0; i < 3; i++) await sweep(d, { shard: parse_shard(`${i}/3`) });
  const f1 = join(d, 'runs-1-of-3.jsonl');
  const lines1 = bytes(f1).trimEnd().split('\n');
  const gone = JSON.parse(lines1[1]!) as SweepRecord;
  const run = GRID.find((r) => r.hash === gone.hash)!;
  writeFileSync(f1, [lines1[0], ...lines1.slice(2)].join('\n') + '\n');
  throws(() => merge_dirs([d]), new RegExp(`1 of 12 runs are missing: run ${run.index} \\(kernel=seqtouch.*, ${run.hash}, shard 1/3\\)`));
  rmSync(f1);
  throws(() => merge_dirs([d]), /4 of 12 runs are missing \(no records at all from runs-1-of-3\.jsonl\)/);
  writeFileSync(f1, lines1.join('\n') + '\n');
  appendFileSync(join(d, 'runs-2-of-3.jsonl'), lines1[0] + '\n');
  throws(() => merge_dirs([d]), /is recorded twice: .*runs-1-of-3\.jsonl:1 and .*runs-2-of-3\.jsonl:5/);
});

test('merge: shards of different grids or builds, and a directory of two splits, are errors', async () => {
  const other = fresh();
  await run_sweep(GRID.slice(0, 4), { out: other, shard: WHOLE, ...quiet } as SweepOptions);
  throws(() => merge_dirs([whole, other]), /holds another grid than/);
  const d = fresh();
  await sweep(d, { shard: parse_shard('0/2') });
  await sweep(d, { shard: parse_shard('1/2') });
  const f = join(d, 'runs-1-of-2.jsonl');
  writeFileSync(f, bytes(f).replace(/"build":"[0-9a-f]+"/g, '"build":"000000000000"'));
  throws(() => merge_dirs([d]), /different builds of omemu: \w+ \(.*runs-0-of-2.jsonl:1\), 000000000000/);
  const mixed = fresh();
  await sweep(mixed);
  await sweep(mixed, { shard: parse_shard('0/2') });
  await sweep(mixed, { shard: parse_shard('1/2') });
  throws(() => merge_dirs([mixed]), /holds the records of 2 shards \(runs-I-of-2\.jsonl\) and of an unsharded run/);
  assert.is(merge_dirs([mixed], () => {}, { latest_split: true }).files.length, 2, 'make bench takes its latest split');
});

test('CSV: nested values are their JSON, and a result field named like a config field is result.NAME', () => {
  const rec = JSON.parse(bytes(join(whole, 'runs.jsonl')).split('\n')[0]!) as SweepRecord;
  const odd = { ...rec, result: { ...rec.result, faults: [{ fault: 'crash:1@1s', injected_s: 1 }] } };
  const csv = records_csv([odd as SweepRecord]).split('\n');
  assert.ok(csv[0]!.includes(',result.faults,'));
  assert.ok(csv[1]!.includes('"[{""fault"":""crash:1@1s"",""injected_s"":1}]"'));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test('cluster runs: a grid of kind cluster runs, records the totals as columns, and names fields that do not apply', async () => {
  const g = expand_grid([{ kind: 'cluster', nodes: 4, jobs: 3, scale: 0.02, scheme: ['openmosix', 'ampom'] }]);
  assert.is(g.length, 2);
  const d = fresh();
  const o = await run_sweep(g, { out: d, shard: WHOLE, ...quiet } as SweepOptions);
  assert.is(o.ran, 2);
  const recs = bytes(join(d, 'runs.jsonl')).trimEnd().split('\n').map((l) => JSON.parse(l) as SweepRecord);
  for (const r of recs) {
    const res = r.result as unknown as Record<string, unknown>;
    assert.is(res.processes, 3);
    assert.is(res.completed, 3);
    assert.is(res.verified, true);
    assert.is((res.process_records as unknown[]).length, 3);
  }
  const csv = bytes(join(d, 'runs.csv')).split('\n')[0]!;
  assert.match(csv, /,mean_slowdown,p95_slowdown,mean_bounded_slowdown,p95_bounded_slowdown,makespan_s,utilisation,/);
  assert.throws(() => expand_grid([{ kind: 'cluster', kernel: 'dgemm' }]), /kernel does not apply to a cluster run/);
  assert.throws(() => expand_grid([{ kernel: 'stream', balancer: 'off' }]), /balancer does not apply to a migration run/);
  assert.throws(() => expand_grid([{ kind: 'cluster', balancer: 'greedy' }]), /balancer must be one of off, birth, mosix, hbd, got 'greedy'/);
});

test.run();
