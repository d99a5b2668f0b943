// `omemu bench diff`: two bench outputs compared record by record. A change
// of any one field of any one record is found and named, with its size; a
// record on one side only is named; equal outputs are identical (exit 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe_move, diff_outputs, diff_sets, format_diff, identical, load_output, outputs_identical, run_key, type RecordSet } from '../../userland/bench/diff.ts';

const OMEMU = fileURLToPath(new URL('../../userland/cli/omemu.js', import.meta.url));

/** A results.json run with these results (the identity fields from i). */
const run = (i: number, runtime_s: number, requests: number, verified = true): Record<string, unknown> => ({
  figure: 'fig5-8',
  kernel: ['dgemm', 'stream', 'fft'][i % 3],
  size_mib: 10 + i,
  working_set_mib: 10 + i,
  scheme: 'ampom',
  profile: 'fast-ethernet',
  bandwidth_mbps: 100,
  runtime_s,
  remote_fault_requests: requests,
  variant: '',
  verified,
  failures: [],
});

const set_of = (runs: Record<string, unknown>[]): RecordSet => ({ name: 'results.json', records: new Map(runs.map((r) => [run_key(r), r])), meta: { seed: 1 } });

const runs_arb = fc.array(fc.tuple(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.nat(1e6), fc.boolean()), { minLength: 1, maxLength: 30 }).map((xs) => xs.map(([t, n, v], i) => run(i, t, n, v)));

test('property: an output compared with a copy of itself is identical', () => {
  check(
    fc.property(runs_arb, (runs) => {
      const copy = runs.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
      assert.ok(identical(diff_sets(set_of(runs), set_of(copy))));
    }),
  );
});

test('property: one field of one record changed is found, and nothing else', () => {
  const fields = ['runtime_s', 'remote_fault_requests', 'verified', 'failures'];
  check(
    fc.property(runs_arb, fc.nat(), fc.constantFrom(...fields), (runs, pick, field) => {
      const b = runs.map((r) => ({ ...r }));
      const i = pick % runs.length;
      const old = b[i]![field];
      b[i]![field] = typeof old === 'number' ? old + 1 : typeof old === 'boolean' ? !old : ['lost pages'];
      const d = diff_sets(set_of(runs), set_of(b));
      assert.is(d.moved.length, 1);
      assert.is(d.moved[0]!.key, run_key(runs[i]!));
      assert.equal(d.moved[0]!.fields.map((f) => f.field), [field]);
      assert.equal(d.only_a, []);
      assert.equal(d.only_b, []);
    }),
  );
});

test('property: a record missing on one side is named as such', () => {
  check(
    fc.property(runs_arb, fc.nat(), (runs, pick) => {
      const i = pick % runs.length;
      const b = runs.filter((_, k) => k !== i);
      const d = diff_sets(set_of(runs), set_of(b));
      assert.equal(d.only_a, [run_key(runs[i]!)]);
      assert.equal(diff_sets(set_of(b), set_of(runs)).only_b, [run_key(runs[i]!)]);
      assert.is(d.moved.length, 0);
    }),
  );
});

test('a numeric move is shown with its change and share; other values as they are', () => {
  assert.is(describe_move({ field: 'runtime_s', a: 2, b: 2.5 }), 'runtime_s 2 -> 2.5 (+0.5, +25.00%)');
  assert.is(describe_move({ field: 'requests', a: 200, b: 150 }), 'requests 200 -> 150 (-50, -25.00%)');
  assert.is(describe_move({ field: 'mean_slowdown', a: '1.5', b: '1.2' }), 'mean_slowdown 1.5 -> 1.2 (-0.3, -20.00%)');
  assert.is(describe_move({ field: 'verified', a: true, b: false }), 'verified true -> false');
  assert.is(describe_move({ field: 'pushed', a: 0, b: 3 }), 'pushed 0 -> 3 (+3)');
});

test('a change of the file-level fields (seed, scale) is a difference too', () => {
  const a = set_of([run(0, 1, 1)]);
  const b = { ...set_of([run(0, 1, 1)]), meta: { seed: 2 } };
  const r = diff_outputs([a], [b]);
  assert.not.ok(outputs_identical(r));
  assert.match(format_diff(r), /\(file\) seed 1 -> 2/);
});

test("cluster.csv's points are named by every column that names one: a size's points are not paired with another size's", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-diff-'));
  try {
    const head = 'experiment,nodes,mib,balancer,scheme,threshold,load,seed,mean_slowdown\n';
    const small = 'question,16,4-64,mosix,ampom,0,0.9,2,1.2\n';
    const large = 'question,16,64-512,mosix,ampom,0,0.9,2,1.7\n';
    for (const [d, body] of [['a', large + small], ['b', small]] as const) {
      mkdirSync(join(tmp, d));
      writeFileSync(join(tmp, d, 'cluster.csv'), head + body);
    }
    const [d] = diff_outputs(load_output(join(tmp, 'a')), load_output(join(tmp, 'b'))).diffs;
    assert.is(d!.moved.length, 0, 'the 4-64 MiB point is compared with itself');
    assert.equal(d!.only_a, ['question 16 nodes 64-512 MiB mosix ampom threshold 0 load 0.9 seed 2']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

interface Out { code: number; stdout: string; stderr: string }
const omemu = (args: string[]): Promise<Out> =>
  new Promise((resolve) => {
    execFile(process.execPath, [OMEMU, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });

/** A bench output directory: results.json, cluster.csv and a sweep records file. */
function write_out(dir: string, runs: Record<string, unknown>[], slowdown: string): void {
  mkdirSync(join(dir, 'runs-quick'), { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ profile: 'fast-ethernet', seed: 1, scale: 0.125, runs }, null, 2) + '\n');
  writeFileSync(join(dir, 'cluster.csv'), `scheme,threshold,mean_slowdown,verified\nbalancer off,,1.1,true\nampom,0,${slowdown},true\n`);
  const recs = runs.map((r, i) => JSON.stringify({ hash: `h${i}`, build: `b${slowdown}`, config: {}, result: r }) + '\n');
  writeFileSync(join(dir, 'runs-quick', 'runs.jsonl'), recs.join(''));
}

test('the command: identical exits 0, a move exits 1 naming it, a bad path exits 2 in one line', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-diff-'));
  try {
    const runs = [run(0, 1.5, 10), run(1, 2.5, 20)];
    write_out(join(tmp, 'a'), runs, '1.25');
    // The same results from another build: the build is not compared.
    write_out(join(tmp, 'b'), runs.map((r) => ({ ...r })), '1.25');
    const same = await omemu(['bench', 'diff', join(tmp, 'a'), join(tmp, 'b')]);
    assert.is(same.code, 0, same.stderr);
    assert.match(same.stdout, /results\.json: 2 records, identical/);
    assert.match(same.stdout, /cluster\.csv: 2 records, identical/);
    assert.match(same.stdout, /runs-quick\/ records: 2 records, identical/);
    assert.equal(load_output(join(tmp, 'a')).map((s) => s.name), ['results.json', 'cluster.csv', 'runs-quick/ records']);

    write_out(join(tmp, 'c'), [run(0, 1.5, 10), run(1, 2.5, 21)], '1.5');
    const moved = await omemu(['bench', 'diff', join(tmp, 'a'), join(tmp, 'c')]);
    assert.is(moved.code, 1);
    assert.match(moved.stdout, /stream 11 MiB ampom fast-ethernet 100 Mb\/s: remote_fault_requests 20 -> 21 \(\+1, \+5\.00%\)/);
    assert.match(moved.stdout, /ampom threshold 0: mean_slowdown 1\.25 -> 1\.5 \(\+0\.25, \+20\.00%\)/);
    assert.match(moved.stdout, /\nmoved\n$/);
    // A results.json file on one side: only the runs are compared.
    const file = await omemu(['bench', 'diff', join(tmp, 'a', 'results.json'), join(tmp, 'b')]);
    assert.is(file.code, 0, file.stdout);
    assert.match(file.stdout, /cluster\.csv: only in B \(not compared\)/);

    for (const [args, re] of [
      [[join(tmp, 'a'), join(tmp, 'nope')], /bench diff: .*nope: no such file or directory/],
      [[join(tmp, 'a'), join(tmp, 'a', 'cluster.csv')], /cluster\.csv: not a JSON file/],
      [[join(tmp, 'a'), tmp], /not a bench output/],
    ] as [string[], RegExp][]) {
      const r = await omemu(['bench', 'diff', ...args]);
      assert.is(r.code, 2, r.stdout);
      assert.match(r.stderr, re);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
