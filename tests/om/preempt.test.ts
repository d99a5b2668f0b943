// Demand first on the wire (--preempt): a fault's request and the reply
// with its page go on their own connection in the qdisc's top band, and a
// page post-copy's push sent a moment ago goes again, ahead. The pages a program
// wrote survive it, re-migrations included (the run's checks: every page's
// checksum against what it was at the freeze, every frame returned), and
// the demand fault's latency falls.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run_experiment, type RunResult } from '../../userland/experiment.ts';
import { make_kernel } from '../../userland/cli/kernels.ts';
import { make_profile } from '../../net/profiles.ts';
import type { Policy } from '../../om/state.ts';

const run = (kernel: string, scheme: Policy, preempt: boolean | undefined, path: number[] = [1], mib = 4): RunResult =>
  run_experiment({
    program: make_kernel(kernel, { mib, passes: 1, mode: 'exact' }), scheme, profile: make_profile('fast-ethernet'), nodes: 3, node_mem_B: 64 << 20, preempt,
    migrations: path.map((to, i) => ({ at: i === 0 ? 'setup_done' : { after_ns: 30e6 }, to })),
  });

test('post-copy with demand first: every page verified, pages resent, and demand faults far quicker than behind the push', () => {
  const on = run('stream', 'postcopy', true);
  const off = run('stream', 'postcopy', false);
  for (const r of [on, off]) assert.equal(r.failures, [], `${r.preempt ? 'on' : 'off'}: ${r.failures.join('; ')}`);
  assert.is(on.preempt, true);
  assert.is(off.preempt, false);
  assert.ok(on.demand_faults > 0 && off.demand_faults > 0);
  assert.ok(on.demand_resent_pages > 0, 'a fault met a page the push had just sent');
  assert.is(off.demand_resent_pages, 0);
  assert.ok(on.demand_fault_p99_s! < off.demand_fault_p50_s!, `p99 ${on.demand_fault_p99_s} s with, p50 ${off.demand_fault_p50_s} s without`);
});

test('ampom-push puts demand first by default; its short push backlog sends no page twice, and a demand fault waits less than without', () => {
  const on = run('stream', 'ampom-push', undefined);
  const off = run('stream', 'ampom-push', false);
  for (const r of [on, off]) assert.equal(r.failures, [], `${r.preempt ? 'on' : 'off'}: ${r.failures.join('; ')}`);
  assert.is(on.preempt, true);
  assert.ok(on.demand_faults > 0 && off.demand_faults > 0);
  assert.is(on.demand_resent_pages, 0);
  assert.ok(on.demand_fault_p50_s! < off.demand_fault_p50_s!, `p50 ${on.demand_fault_p50_s} s with, ${off.demand_fault_p50_s} s without`);
});

test('demand first across re-migrations (0 -> 1 -> 2 -> home) loses nothing, under every scheme that pages after the freeze', () => {
  for (const scheme of ['ampom-push', 'postcopy', 'ampom', 'noprefetch'] as Policy[]) {
    const r = run('randomaccess', scheme, true, [1, 2, 0], 1);
    assert.equal(r.failures, [], `${scheme}: ${r.failures.join('; ')}`);
    assert.is(r.migrations, 3, `${scheme}: ${r.not_migrated_reason}`);
    assert.ok(r.checks.includes('page-checksums') && r.checks.includes('frames-returned'));
  }
});

test("a scheme's default (off but for ampom-push); the run says which it was", () => {
  const r = run('stream', 'ampom', undefined, [1], 1);
  assert.is(r.preempt, false);
  assert.is(r.demand_resent_pages, 0);
  assert.equal(r.failures, []);
});

test.run();
