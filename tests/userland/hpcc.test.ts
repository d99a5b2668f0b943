// The HPCC kernels: HPCC's own verification passes in exact mode (also after
// each kind of migration), fails when a page of input is corrupted, and the
// exact and fast modes make the same page references at the same virtual
// times (a property that fails on a reordered or retimed step).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check, run_details } from '../helpers/prop.ts';
import type { Op } from '../../kernel/op.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { TASK_UNMAPPED_BASE } from '../../mm/pgtable.ts';
import { make_profile } from '../../net/profiles.ts';
import type { Policy } from '../../om/state.ts';
import { run_experiment, tap_program, type ProgramDef, type RunResult, type RunSpec } from '../../userland/experiment.ts';
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

/**
 * What the MMU did in a run, exactly: for every run_refs call (a step's
 * references, a syscall's buffers), the task's clock when it began, the
 * references it resolved in order with the CPU time charged before each,
 * where it stopped and the clock then; and each operation's kind and the
 * clock when the program yielded it. Equal traces mean the same references
 * in the same order at the same virtual times. `mutate` may alter an
 * operation before the kernel runs it (to show the comparison fails).
 */
function mmu_trace(program: ProgramDef, spec: Omit<RunSpec, 'program'>, mutate?: (op: Op) => void): { trace: number[]; result: RunResult } {
  const trace: number[] = [];
  const wrapped = new WeakSet<object>();
  const tapped = tap_program(program, (op, task) => {
    mutate?.(op);
    trace.push(op.kind === 'refs' ? -1 : op.kind === 'sys' ? -2 : -3, task.clock_ns);
    // The task's mm is a new one after a migration: watch each one it gets.
    const mm = task.mm as MmStruct;
    if (wrapped.has(mm)) return;
    wrapped.add(mm);
    const run_refs = mm.run_refs.bind(mm);
    mm.run_refs = (t, refs, from, n, user_copy, pre_ns) => {
      const t0 = t.clock_ns;
      const done = run_refs(t, refs, from, n, user_copy, pre_ns);
      trace.push(t0, from, done, t.clock_ns);
      for (let i = from; i < done; i++) trace.push(refs[i]!, pre_ns?.[i] ?? 0);
      return done;
    };
  });
  return { trace, result: run_experiment({ ...spec, program: tapped }) };
}

/** Where two traces first differ, in words, or null when they are equal. */
function first_difference(a: number[], b: number[]): string | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `entry ${i} of ${n}: ${a[i]} vs ${b[i]} (context ${a.slice(Math.max(0, i - 4), i + 4).join(',')})`;
  return a.length === b.length ? null : `lengths ${a.length} vs ${b.length}`;
}

/** Random small runs: a kernel and size, a policy, a seed, where to migrate, with or without cross traffic. */
const run_case = fc.record({
  kernel: fc.constantFrom(...HPCC_KERNELS),
  kib: fc.integer({ min: 16, max: 300 }),
  scheme: fc.constantFrom('ampom', 'noprefetch', 'openmosix'),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  // At setup_done, or at a virtual time, mid-step (these programs run for 0.3-3 ms).
  migrate_us: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  cross_traffic: fc.constantFrom(0, 0.3),
});
type RunCase = typeof run_case extends fc.Arbitrary<infer T> ? T : never;

/** Exact and fast mode of one case, the fast one optionally mutated: null when their traces and results agree. */
function exact_vs_fast(c: RunCase, mutate_fast?: (op: Op) => void): string | null {
  const mib = Math.max(c.kib, c.kernel === 'randomaccess' ? 16 : 1) / 1024;
  const spec = {
    scheme: c.scheme as Policy,
    profile: make_profile('fast-ethernet', { cross_traffic: c.cross_traffic }),
    seed: c.seed,
    node_mem_B: 64 << 20,
    migrate_at: c.migrate_us === undefined ? 'setup_done' : { t_ns: c.migrate_us * 1000 },
  };
  const exact = mmu_trace(make_hpcc({ kernel: c.kernel, mib, mode: 'exact' }), spec);
  const fast = mmu_trace(make_hpcc({ kernel: c.kernel, mib, mode: 'fast' }), spec, mutate_fast);
  assert.ok(exact.result.exit_code === 0 && exact.result.checks.some((x) => x.startsWith('hpcc-')), `${c.kernel}: the exact run reached its check`);
  assert.ok(!exact.result.migrated || exact.result.verified, `${c.kernel} ${c.scheme}: ${exact.result.failures.join('; ')}`);
  const diff = first_difference(exact.trace, fast.trace);
  if (diff) return `traces differ at ${diff}`;
  const figures = (r: RunResult): string => JSON.stringify({ ...r, mode: '', checks: [], failures: [], verified: true });
  if (figures(exact.result) !== figures(fast.result)) return `results differ: ${figures(exact.result)} vs ${figures(fast.result)}`;
  return null;
}

test('exact and fast mode make the same references in the same order at the same virtual times (random kernels, sizes, policies, seeds, migration points)', () => {
  check(
    fc.property(run_case, (c) => {
      const diff = exact_vs_fast(c);
      assert.ok(diff === null, diff ?? '');
    }),
    { numRuns: 14 },
  );
});

/** The first step of the timed phase with two different pages side by side: swap them (a reordered step). */
function swap_in_first_timed_step(): (op: Op) => void {
  let timed = false;
  let done = false;
  return (op) => {
    if (op.kind === 'mark' && op.label === 'setup_done') timed = true;
    if (done || !timed || op.kind !== 'refs') return;
    for (let i = 3; i + 1 < op.n; i++) {
      if (op.refs[i]! >>> 2 !== op.refs[i + 1]! >>> 2) {
        [op.refs[i], op.refs[i + 1]] = [op.refs[i + 1]!, op.refs[i]!];
        done = true;
        return;
      }
    }
  };
}

/** One more ns of CPU time before the last reference of the first timed step that has time between its references. */
function nudge_first_timed_step(): (op: Op) => void {
  let timed = false;
  let done = false;
  return (op) => {
    if (op.kind === 'mark' && op.label === 'setup_done') timed = true;
    if (done || !timed || op.kind !== 'refs' || !op.pre_ns) return;
    op.pre_ns[op.n - 1]! += 1;
    done = true;
  };
}

test('the equality fails on a deliberately reordered step, and on one ns moved within a step', () => {
  for (const [what, mutation] of [['two references of a step swapped', swap_in_first_timed_step], ['1 ns more before a reference', nudge_first_timed_step]] as const) {
    let why: string | null = null;
    const out = run_details(
      fc.property(run_case, (c) => (why = exact_vs_fast(c, mutation())) === null),
      { numRuns: 5, endOnFailure: true },
    );
    assert.ok(out.failed, `${what}: the property must catch it`);
    assert.is(out.numRuns, 1, `${what}: caught on the first case`);
    assert.match(why ?? '', /^traces differ at entry \d+/, `${what}: caught as a different trace`);
  }
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
