// omemu chaos's verdicts: what counts as a promise kept, and what as broken.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chaos_plan, CHAOS_PARTITION_MS, fatal_nodes, must_complete, run_chaos, type ChaosPlan } from '../../userland/chaos/plan.ts';
import { broken_promise, summarize } from '../../userland/cli/cmd_chaos.ts';
import { STILL_RUNNING, type RunResult } from '../../userland/experiment.ts';

// One real run to vary: the first plan of the default seed.
const plan = chaos_plan(1);
const real = run_chaos(plan);

const outcome = (over: Partial<RunResult>) => ({ seed: 1, result: { ...real, ...over }, wall_s: 0.1 });
// The same plan with other faults (home is node 0; the path is the plan's).
const with_faults = (faults: string, partitionLimit?: number): ChaosPlan => ({ ...plan, faults, net: { ...plan.net, partitionLimit } });
const on_path = Number(plan.path.split(',').find((n) => n !== 'home'));
const of_plan = (p: ChaosPlan) => () => p;

test('a real chaos run keeps the promise, and the same plan gives the same result', () => {
  assert.is(broken_promise(outcome({}), plan), null, JSON.stringify(real.failures));
  const again = run_chaos(plan);
  assert.equal(JSON.stringify(again), JSON.stringify(real));
});

test('a run still going at the time limit is a hang: broken, and not counted as killed with a reason', () => {
  const hung = outcome({ outcome: 'killed', reason: STILL_RUNNING, verified: false });
  assert.match(broken_promise(hung, plan)!, /a hang/);
  const s = summarize([hung], of_plan(plan));
  assert.is(s.killed_with_reason, 0);
  assert.not.ok(s.kept);
});

test('a corrupt page breaks the promise even when the task was then killed with a reason', () => {
  const p = with_faults('crash:2@100ms');
  const o = outcome({ outcome: 'killed', reason: 'page holder node 2 unreachable', corrupt_pages: 1 });
  assert.match(broken_promise(o, p)!, /1 corrupt pages/);
  const s = summarize([o], of_plan(p));
  assert.is(s.corrupt_pages, 1);
  assert.not.ok(s.kept);
});

test('killed with a reason that follows from the plan and nothing lost keeps the promise, and the summary names the run', () => {
  const p = with_faults('crash:0@100ms');
  const s = summarize([outcome({ outcome: 'killed', reason: 'home node 0 unreachable', corrupt_pages: 0, lost_pages: 0, leaked_frames: 0 })], of_plan(p));
  assert.is(s.killed_with_reason, 1);
  assert.equal(s.killed, [{ seed: 1, scheme: real.scheme, reason: 'home node 0 unreachable' }]);
  assert.ok(s.kept);
});

test('a partition as long as the limit may kill; a shorter one, or one the process does not depend on, may not', () => {
  const long = with_faults(`partition:0-${on_path}@100ms+90s`);
  assert.not.ok(must_complete(long));
  assert.equal([...fatal_nodes(long)].sort(), [0, on_path].sort());
  const killed = outcome({ outcome: 'killed', reason: 'home node 0 unreachable for 60 s' });
  assert.is(broken_promise(killed, long), null);
  // With the limit at 0 any partition may kill (openMosix's rule).
  assert.not.ok(must_complete(with_faults(`partition:0-${on_path}@100ms+1s`, 0)));
  const short = with_faults(`partition:0-${on_path}@100ms+30s`);
  assert.ok(must_complete(short));
  assert.match(broken_promise(killed, short)!, /spares every node it depends on/);
  // A path 0 -> 1: node 3's crash and a long partition 2-3 touch nothing it depends on.
  const elsewhere: ChaosPlan = { ...plan, migrate_at: 'setup_done', path: '1', faults: 'crash:3@100ms,partition:2-3@0ms+100s' };
  assert.ok(must_complete(elsewhere));
  assert.not.ok(must_complete({ ...elsewhere, faults: 'partition:0-1@0ms+100s' }));
});

test('a kill whose reason the plan does not explain breaks the promise (a SIGBUS is not a fault of the plan)', () => {
  const p = with_faults(`crash:${on_path}@100ms`);
  assert.not.ok(must_complete(p));
  const o = outcome({ outcome: 'killed', reason: 'SIGBUS at 0x8049000' });
  assert.match(broken_promise(o, p)!, /does not explain/);
  assert.is(summarize([o], of_plan(p)).killed_with_reason, 0);
});

test('plans draw partitions of 0.1-120 s, on both sides of the default limit; --scheme fixes only the scheme', () => {
  const durs: number[] = [];
  for (let seed = 1; seed <= 400; seed++) {
    const p = chaos_plan(seed);
    for (const m of p.faults.matchAll(/partition:\d-\d@\d+ms\+(\d+)ms/g)) durs.push(Number(m[1]));
    const fixed = chaos_plan(seed, undefined, 'precopy');
    assert.equal({ ...fixed, scheme: p.scheme }, p);
    assert.is(fixed.scheme, 'precopy');
  }
  assert.ok(durs.length > 20 && durs.every((d) => d >= CHAOS_PARTITION_MS[0] && d <= CHAOS_PARTITION_MS[1]), String(durs));
  assert.ok(durs.some((d) => d < 60_000) && durs.some((d) => d > 60_000));
});

test.run();
