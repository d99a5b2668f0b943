// `omemu sweep` from the command line: flags and --grid, shards chosen by
// Slurm's array variables, `sweep merge`, and one-line errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OMEMU = fileURLToPath(new URL('../../userland/cli/omemu.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'omemu-sweep-cli-'));
const clean_env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_')));

function omemu(args: string[], env: Record<string, string> = {}) {
  const p = spawnSync(process.execPath, [OMEMU, ...args], { encoding: 'utf8', env: { ...clean_env, ...env } });
  return { code: p.status, out: p.stdout, err: p.stderr };
}

const FLAGS = ['--kernel', 'seqtouch', '--mib', '0.25,0.5', '--scheme', 'noprefetch,ampom', '--seeds', '1..2', '--workers', '1'];

test('sharded by SLURM_ARRAY_TASK_* (an array numbered from 1) and merged: the bytes of one run', () => {
  const one = omemu(['sweep', ...FLAGS, '--out', join(tmp, 'one')]);
  assert.is(one.code, 0, one.err);
  assert.match(one.err, /8 runs in the grid; shard 0\/1 \(no shard\) has 8/);
  for (const id of ['1', '2', '3']) {
    const r = omemu(['sweep', ...FLAGS, '--out', join(tmp, 'arr')], { SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' });
    assert.is(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`shard ${Number(id) - 1}/3 \\(SLURM_ARRAY_TASK_ID=${id}, MIN=1, STEP=1, COUNT=3\\)`));
  }
  const m = omemu(['sweep', 'merge', join(tmp, 'arr'), '--out', join(tmp, 'merged.jsonl')]);
  assert.is(m.code, 0, m.err);
  assert.is(readFileSync(join(tmp, 'merged.jsonl'), 'utf8'), readFileSync(join(tmp, 'one', 'runs.jsonl'), 'utf8'));
  assert.is(readFileSync(join(tmp, 'merged.csv'), 'utf8'), readFileSync(join(tmp, 'one', 'runs.csv'), 'utf8'));
  const again = omemu(['sweep', ...FLAGS, '--out', join(tmp, 'one')]);
  assert.match(again.err, /ran 0, reused 8 of 8/, 'a finished sweep resumes to nothing');
});

test('--grid: blocks expand in order; --list shows what this shard runs', () => {
  const g = join(tmp, 'grid.json');
  writeFileSync(g, JSON.stringify([{ kernel: 'seqtouch', mib: [1, 2] }, { kernel: 'dgemm', mib: 4, working_set: [1, 2], scheme: 'openmosix', migrate_at: null }]));
  const r = omemu(['sweep', '--grid', g, '--shard', '1/2', '--list']);
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.is(lines.length, 5);
  assert.match(lines[0]!, /^  0 [0-9a-f]{16} \{"kind":"migration","kernel":"seqtouch","mib":1,/);
  assert.match(lines[1]!, /^\* 1 .*"mib":2,/);
  assert.match(lines[3]!, /^\* 3 .*"kernel":"dgemm","mib":4,"working_set":2,.*"migrate_at":null,/);
  assert.match(lines[4]!, /4 runs; shard 1\/2 \(--shard 1\/2\) runs the 2 marked \*/);
});

test('bad input is one line naming it, exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['sweep', '--kernel', 'nope', '--list'], /^omemu: the flags: run 0 \(kernel=nope scheme=ampom\): kernel 'nope' is not known/],
    [['sweep', '--seeds', '1..x', '--list'], /^omemu: --seeds: '1\.\.x' is not an integer \(or A\.\.B\)/],
    [['sweep', '--grid', join(tmp, 'none.json'), '--list'], /^omemu: --grid .*none\.json: no such file/],
    [['sweep', '--grid', join(tmp, 'grid.json'), '--mib', '1', '--list'], /^omemu: --grid .* holds the whole grid: drop --mib/],
    [['sweep', '--list', '--shard', '2/2'], /^omemu: --shard 2\/2: I must be from 0 to N-1/],
    [['sweep', '--list'], /^omemu: the Slurm array task is not one of COUNT/],
    [['sweep', 'merge', tmp, '--out', join(tmp, 'x.jsonl')], /^omemu: .* no grid\.jsonl \(not a sweep output directory\)/],
  ];
  for (const [args, re] of cases) {
    const env: Record<string, string> = args.length === 2 ? { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '2' } : {};
    const r = omemu(args, env);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.err.trimEnd().split('\n').length, 1, `one line: ${r.err}`);
  }
});

test('a sweep says how many runs it will do and about how long first; --extend adds values without redoing what is there; an older build is refused', () => {
  const d = join(tmp, 'ext');
  const base = ['sweep', '--kernel', 'seqtouch', '--scheme', 'noprefetch', '--workers', '1', '--out', d];
  const a = omemu([...base, '--mib', '0.25']);
  assert.is(a.code, 0, a.err);
  assert.match(a.err, /^sweep: 1 run in the grid; .*\nsweep: 1 run to do on 1 worker: about \d+(\.\d)? s of host time/);
  const first = readFileSync(join(d, 'runs.jsonl'), 'utf8');
  const other = omemu([...base, '--mib', '0.25,0.5']);
  assert.is(other.code, 2, 'another grid without --extend is refused');
  const b = omemu([...base, '--mib', '0.5,0.25', '--extend']);
  assert.is(b.code, 0, b.err);
  assert.match(b.err, /--extend adds 1 run to the 1 run of /);
  assert.match(b.err, /1 run to do \(1 of 2 done already\)/);
  assert.match(b.err, /ran 1, reused 1 of 2/);
  const lines = readFileSync(join(d, 'runs.jsonl'), 'utf8').split('\n').filter(Boolean);
  assert.is(lines.length, 2);
  assert.is(`${lines[0]}\n`, first, 'the run that was there is kept as it was, in its place');
  assert.match(lines[1]!, /"mib":0\.5/);
  writeFileSync(join(d, 'runs.jsonl'), lines.map((l) => l.replace(/"build":"[0-9a-f]+"/, '"build":"000000000000"')).join('\n') + '\n');
  const c = omemu([...base, '--mib', '1', '--extend']);
  assert.is(c.code, 2);
  assert.match(c.err, /records were made by another build of omemu \(000000000000/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
