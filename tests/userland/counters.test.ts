// Counters that add up: every page a prefetcher asked for is used, wasted
// or still on its way when the process ends, under every scheme; and every
// interval a run reports contains the intervals inside it, over the chaos
// plans (crashes, partitions, losses, aborts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { make_profile } from '../../net/profiles.ts';
import { POLICIES } from '../../om/state.ts';
import { chaos_plan, run_chaos } from '../../userland/chaos/plan.ts';
import { KERNELS } from '../../userland/cli/kernels.ts';
import { run_experiment, type MigrationPoint, type RunResult } from '../../userland/experiment.ts';
import { load_trace } from '../../userland/trace/ompt.ts';
import { replay_program } from '../../userland/trace/replay.ts';
import { check } from '../helpers/prop.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const adds_up = (r: RunResult): string =>
  `prefetched ${r.prefetched_pages} = used ${r.prefetch_hits} + wasted ${r.wasted_prefetch} + in flight ${r.prefetch_in_flight}`;

/** Random runs: a program and size, a scheme, a path of 1-3 migrations at random times, a network with or without loss. */
const run_case = fc.record({
  kernel: fc.constantFrom(...Object.keys(KERNELS)),
  kib: fc.integer({ min: 64, max: 1536 }),
  scheme: fc.constantFrom(...POLICIES),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  more: fc.array(fc.record({ after_us: fc.integer({ min: 0, max: 40_000 }), to: fc.integer({ min: 0, max: 2 }) }), { maxLength: 2 }),
  loss: fc.constantFrom(0, 0.02),
  cross_traffic: fc.constantFrom(0, 0.3),
});

test('property: every prefetched page is used, wasted or still in flight at the end (every scheme, random programs, paths and networks)', () => {
  check(
    fc.property(run_case, (c) => {
      const migrations: MigrationPoint[] = [{ at: 'setup_done', to: 1 }];
      for (const m of c.more) if (m.to !== migrations[migrations.length - 1]!.to) migrations.push({ at: { after_ns: m.after_us * 1000 }, to: m.to });
      const r = run_experiment({
        program: KERNELS[c.kernel]!({ mib: c.kib / 1024, passes: 1, mode: 'fast' }), scheme: c.scheme, seed: c.seed, nodes: 3, migrations,
        profile: make_profile('fast-ethernet', { loss: c.loss, cross_traffic: c.cross_traffic }), node_mem_B: 64 << 20,
      });
      assert.ok(r.verified, r.failures.join('; '));
      assert.is(r.prefetched_pages, r.prefetch_hits + r.wasted_prefetch + r.prefetch_in_flight, adds_up(r));
    }),
    { numRuns: 12 },
  );
});

test('the lackey walk replayed under AMPoM: the pages still in flight at exit are counted (they were neither used nor wasted)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-counters-'));
  const out = join(dir, 'w.ompt.gz');
  const omemu = fileURLToPath(new URL('../../userland/cli/omemu.js', import.meta.url));
  const fix = fileURLToPath(new URL('../fixtures/lackey/walk-seq.lackey.gz', import.meta.url));
  execFileSync(process.execPath, [omemu, 'trace', 'from-lackey', fix, '--migrate-at', '69453', '-o', out], { stdio: 'ignore' });
  const r = run_experiment({ program: replay_program(load_trace(out)), scheme: 'ampom', profile: make_profile('fast-ethernet'), node_mem_B: 256 << 20 });
  assert.ok(r.prefetch_in_flight > 0, 'this run ends with zone pages on their way');
  assert.is(r.prefetched_pages, r.prefetch_hits + r.wasted_prefetch + r.prefetch_in_flight, adds_up(r));
});

/** The intervals of a run that must contain one another. */
function intervals_nest(r: RunResult): void {
  const what = `${r.program} ${r.scheme}: freeze_s ${r.freeze_s} ${JSON.stringify(r.freezes_s)}, total_migration_s ${r.total_migration_s}, runtime_s ${r.runtime_s}, total_s ${r.total_s}`;
  assert.is(r.freeze_s === null, r.migrations === 0, `no freeze exactly when no migration happened: ${what}`);
  assert.is(r.freezes_s.length, r.migrations, what);
  assert.is(r.downtime_s, r.freeze_s, what);
  const sum = r.freezes_s.reduce((a, b) => a + b, 0);
  if (r.freeze_s !== null) assert.ok(Math.abs(r.freeze_s - sum) <= 1e-6 * r.freezes_s.length, `the freeze is the sum of the freezes: ${what}`);
  for (const f of r.freezes_s) assert.ok(f <= r.total_s, `a freeze lies within the run: ${what}`);
  if (r.total_migration_s !== null && r.freezes_s.length > 0) assert.ok(r.total_migration_s >= r.freezes_s[0]!, `the first migration contains its freeze: ${what}`);
  assert.ok(r.runtime_s <= r.total_s, `the timed phase lies within the run: ${what}`);
}

test('property: every reported interval contains the intervals inside it (chaos plans: crashes, partitions, losses, aborts; fast mode)', () => {
  check(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => intervals_nest(run_chaos(chaos_plan(seed), 'fast'))), { numRuns: 6 });
});

test('openMosix: its source empties itself at commit, but the migration lasts until the freeze ends', () => {
  const r = run_experiment({ program: KERNELS.stream!({ mib: 2, passes: 1, mode: 'fast' }), scheme: 'openmosix', profile: make_profile('fast-ethernet'), node_mem_B: 64 << 20 });
  intervals_nest(r);
  assert.ok(r.total_migration_s! >= r.freeze_s!, `total ${r.total_migration_s} vs freeze ${r.freeze_s}`);
});

test.run();
