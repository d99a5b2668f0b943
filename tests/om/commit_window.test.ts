// A partition in the window around a migration's commit, as users reported
// it: the destination gave up on its source after the source had committed
// and resumed the process, the same liveness pass killed it, and the resume
// then woke the dead task (it ran to exit 0, or died of a SIGBUS that hid
// the real reason); or it resumed the process before its address space was
// installed, missed that the process depended on the lost node, and the
// process waited for a page for ever. Now a destination that loses its
// source after MIG_DONE cannot know whether the source let go, and drops
// the migration; the process's home learns either way and the process ends
// once, with a reason that names the partition's effect. model.test.ts
// explores the window at random; these are the reported timings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make_profile } from '../../net/profiles.ts';
import { KERNELS } from '../../userland/cli/cmd_run.ts';
import { run_experiment, type MigrationPoint } from '../../userland/experiment.ts';
import { parse_fault_plan } from '../../userland/faults.ts';
import type { Policy } from '../../om/state.ts';

function run(scheme: Policy, faults: string, migrations?: MigrationPoint[], partition_limit_ns = 0) {
  return run_experiment({
    partition_limit_ns,
    program: KERNELS.stream!({ mib: 4, passes: 0, mode: 'exact' }),
    scheme,
    profile: make_profile('fast-ethernet'),
    faults: parse_fault_plan(faults),
    migrations,
    limit_ns: 300e9,
  });
}

for (const [scheme, at] of [['openmosix', '432.17ms'], ['noprefetch', '76.35ms']] as const) {
  test(`${scheme}: a process cut off from its home between MIG_DONE and MIG_GO ends once, with the reason`, () => {
    const r = run(scheme, `partition:0-1@${at}+20s`);
    assert.is(r.outcome, 'killed');
    assert.match(r.exit_reason, /node 1 unreachable|home node 0 unreachable|lost in migration/);
    assert.is(r.exit_code, 137, 'SIGKILL, not an exit of its own after running again');
    assert.is(r.migrations, 0, 'a migration whose process was killed before it resumed did not complete');
    assert.is(r.leaked_frames, 0);
  });
}

test('noprefetch 0 -> 1 -> 2: a destination that gives up on its committed source sees the pages the process still needs there', () => {
  const r = run('noprefetch', 'partition:1-2@277.13ms+20s', [
    { at: 'setup_done', to: 1 },
    { at: { after_ns: 200e6 }, to: 2 },
  ]);
  assert.is(r.outcome, 'killed', `it ended (${r.exit_reason}) rather than waiting for a page for ever`);
  assert.match(r.exit_reason, /page holder node 1 unreachable|lost in migration/);
  assert.is(r.exit_code, 137);
  assert.is(r.leaked_frames, 0);
});

// With a partition limit (the default, 60 s) the same partitions are
// waited out: the destination keeps the migration in doubt, the source's
// MIG_GO arrives once the partition heals, and the process completes with
// every byte.
for (const [scheme, at] of [['openmosix', '432.17ms'], ['noprefetch', '76.35ms']] as const) {
  test(`${scheme}: with the default partition limit a 20 s partition at the commit is waited out`, () => {
    const r = run(scheme, `partition:0-1@${at}+20s`, undefined, 60e9);
    assert.is(r.outcome, 'completed', r.exit_reason);
    assert.ok(r.verified, r.failures.join('; '));
    assert.is(r.migrations, 1);
    assert.ok(r.freeze_s !== null && r.freeze_s > 15, `the freeze spans the partition (${r.freeze_s} s)`);
  });
}

test('noprefetch 0 -> 1 -> 2: with the default partition limit a 20 s partition between the hops is waited out', () => {
  const r = run('noprefetch', 'partition:1-2@277.13ms+20s', [
    { at: 'setup_done', to: 1 },
    { at: { after_ns: 200e6 }, to: 2 },
  ], 60e9);
  assert.is(r.outcome, 'completed', r.exit_reason);
  assert.ok(r.verified, r.failures.join('; '));
});

test.run();
