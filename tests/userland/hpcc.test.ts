// The HPCC kernels: HPCC's own verification passes in exact mode (also after
// each kind of migration), fails when a page of input is corrupted, and the
// exact and fast modes make the same page references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { TASK_UNMAPPED_BASE } from '../../mm/pgtable.ts';
import { make_profile } from '../../net/profiles.ts';
import { run_experiment, tap_program } from '../../userland/experiment.ts';
import type { Mode } from '../../userland/hpcc/common.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../../userland/hpcc/index.ts';

const profile = make_profile('fast-ethernet');
const SMALL: Record<HpccKernel, number> = { stream: 0.3, dgemm: 0.3, randomaccess: 0.25, fft: 0.5 };

for (const kernel of HPCC_KERNELS) {
  test(`${kernel}: HPCC's verification passes in exact mode under every policy`, () => {
    for (const scheme of ['openmosix', 'noprefetch', 'ampom'] as const) {
      const r = run_experiment({ program: make_hpcc({ kernel, mib: SMALL[kernel], mode: 'exact' }), scheme, profile, node_mem_B: 64 << 20 });
      assert.ok(r.migrated, `${scheme}: migrated`);
      assert.ok(r.checks.some((c) => c.startsWith(`hpcc-${kernel}`)), `${scheme}: HPCC's check ran (${r.checks.join(', ')})`);
      assert.ok(r.verified, `${scheme}: ${r.failures.join('; ')}`);
    }
  });

  test(`${kernel}: a corrupted input page makes HPCC's verification fail`, () => {
    // Flip the first page of the first array right after setup, behind the program's back.
    const corrupting = tap_program(make_hpcc({ kernel, mib: SMALL[kernel], mode: 'exact' }), (op, task) => {
      if (op.kind !== 'mark' || op.label !== 'setup_done') return;
      const mm = task.mm as MmStruct;
      const pfn = mm.resolve(TASK_UNMAPPED_BASE);
      assert.ok(pfn >= 0, 'the first array is resident after setup');
      mm.mem.bytes(pfn).fill(0x5a);
    });
    const r = run_experiment({ program: corrupting, scheme: 'ampom', profile, node_mem_B: 64 << 20, migrate_at: null });
    assert.not.ok(r.verified, 'the run is not verified');
    assert.ok(r.failures.some((f) => f.startsWith(`hpcc-${kernel}`)), `HPCC's check is what failed: ${r.failures.join('; ')}`);
  });
}

/** A program's whole operation stream, as text (refs with their costs, syscalls, marks). */
function stream_of(kernel: HpccKernel, mib: number, mode: Mode): { ops: string[]; runtime_s: number } {
  const ops: string[] = [];
  const tapped = tap_program(make_hpcc({ kernel, mib, mode }), (op) => {
    if (op.kind === 'refs') ops.push(`refs ${op.cls}:${op.units} ${Array.from(op.refs.subarray(0, op.n)).join(',')}`);
    else if (op.kind === 'sys') ops.push(`sys ${op.nr} ${op.args.join(',')}`);
    else ops.push(`mark ${op.label}`);
  });
  const r = run_experiment({ program: tapped, scheme: 'ampom', profile, node_mem_B: 64 << 20, migrate_at: null });
  assert.ok(r.verified, `${kernel} ${mode} ${mib} MiB: ${r.failures.join('; ')}`);
  return { ops, runtime_s: r.runtime_s };
}

test('exact and fast mode make the same page references in the same order (every kernel, random small sizes)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...HPCC_KERNELS), fc.integer({ min: 1, max: 300 }), (kernel, kib) => {
      const mib = Math.max(kib, kernel === 'fft' ? 1 : kernel === 'randomaccess' ? 2 : 1) / 1024;
      const exact = stream_of(kernel, mib, 'exact');
      const fast = stream_of(kernel, mib, 'fast');
      assert.ok(exact.ops.length >= 6, 'a real stream: mmap, setup, marks, timed, verify');
      assert.equal(fast.ops, exact.ops);
      assert.is(fast.runtime_s, exact.runtime_s);
    }),
    { numRuns: 12, seed: 20260 },
  );
});

test('a kernel reports the problem it actually used', () => {
  const d = make_hpcc({ kernel: 'dgemm', mib: 575, mode: 'fast' });
  assert.is(d.size.problem, 'n=5011 (3 matrices)');
  assert.ok(d.size.used_B <= 575 * 2 ** 20 + 3 * 4096);
  const f = make_hpcc({ kernel: 'fft', mib: 65, mode: 'fast' });
  assert.match(f.size.problem, /^n=2\^21 /);
  const r = make_hpcc({ kernel: 'randomaccess', mib: 513, mode: 'fast' });
  assert.match(r.size.problem, /^TableSize=2\^26 /);
  const w = make_hpcc({ kernel: 'dgemm', mib: 575, working_set_mib: 115, mode: 'fast' });
  assert.ok(w.size.working_set_B < w.size.used_B / 4.9 && w.size.working_set_B > w.size.used_B / 5.1, 'working set is a fifth');
  assert.throws(() => make_hpcc({ kernel: 'stream', mib: 1, working_set_mib: 0.5, mode: 'fast' }), /dgemm only/);
});

test.run();
