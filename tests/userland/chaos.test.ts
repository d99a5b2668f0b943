// omemu chaos's verdicts: what counts as a promise kept, and what as broken.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chaos_plan, run_chaos } from '../../userland/chaos/plan.ts';
import { broken_promise, summarize } from '../../userland/cli/cmd_chaos.ts';
import { STILL_RUNNING, type RunResult } from '../../userland/experiment.ts';

// One real run to vary: the first plan of the default seed.
const plan = chaos_plan(1);
const real = run_chaos(plan);

const outcome = (over: Partial<RunResult>) => ({ seed: 1, result: { ...real, ...over }, wall_s: 0.1 });

test('a real chaos run keeps the promise, and the same plan gives the same result', () => {
  assert.is(broken_promise(outcome({})), null, JSON.stringify(real.failures));
  const again = run_chaos(plan);
  assert.equal(JSON.stringify(again), JSON.stringify(real));
});

test('a run still going at the time limit is a hang: broken, and not counted as killed with a reason', () => {
  const hung = outcome({ outcome: 'killed', reason: STILL_RUNNING, verified: false });
  assert.match(broken_promise(hung)!, /a hang/);
  const s = summarize([hung]);
  assert.is(s.killed_with_reason, 0);
  assert.not.ok(s.kept);
});

test('a corrupt page breaks the promise even when the task was then killed with a reason', () => {
  const o = outcome({ outcome: 'killed', reason: 'page holder node 2 unreachable', corrupt_pages: 1 });
  assert.match(broken_promise(o)!, /1 corrupt pages/);
  const s = summarize([o]);
  assert.is(s.corrupt_pages, 1);
  assert.not.ok(s.kept);
});

test('killed with a reason and nothing lost keeps the promise', () => {
  const s = summarize([outcome({ outcome: 'killed', reason: 'home node 0 unreachable', corrupt_pages: 0, lost_pages: 0, leaked_frames: 0 })]);
  assert.is(s.killed_with_reason, 1);
  assert.ok(s.kept);
});

test.run();
