// The page dependency of a run: how long after its freeze the migrant still
// needed a page held on another node (its window of exposure to a failure
// of the node it left). openMosix and pre-copy move every page in the
// freeze: 0. A lazy scheme depends on the node it left from the freeze
// until the last page came (ampom-push, post-copy) or the exit (AMPoM,
// NoPrefetch, the readahead schemes), never longer than the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { make_profile } from '../../net/profiles.ts';
import { POLICIES } from '../../om/state.ts';
import { run_experiment } from '../../userland/experiment.ts';
import { make_hpcc } from '../../userland/hpcc/index.ts';

test('page dependency: 0 for the schemes that move every page in the freeze, within the run for the lazy ones', () => {
  check(
    fc.property(fc.constantFrom('stream', 'dgemm', 'randomaccess', 'fft' as const), fc.integer({ min: 2, max: 12 }), fc.constantFrom(...POLICIES), fc.integer({ min: 1, max: 1000 }), (kernel, mib, scheme, seed) => {
      const r = run_experiment({ program: make_hpcc({ kernel, mib, mode: 'fast' }), scheme, profile: make_profile('fast-ethernet'), seed, node_mem_B: 256 << 20 });
      assert.ok(r.verified, r.failures.join('; '));
      if (!r.migrated) return assert.is(r.page_dependency_s, null, 'no migration, no dependency');
      const dep = r.page_dependency_s!;
      if (scheme === 'openmosix' || scheme === 'precopy') assert.is(dep, 0, `${scheme} moved every page in its freeze`);
      else {
        assert.ok(dep > 0, `${scheme} left pages at home, yet its dependency is ${dep} s`);
        // From the freeze's end to at most the exit (total_s runs from the program's start to its exit).
        assert.ok(dep <= r.total_s - r.freeze_s! + 1e-6, `${scheme}: dependency ${dep} s beyond the exit (${r.total_s} s from the start, a ${r.freeze_s} s freeze)`);
      }
    }),
    { numRuns: 12 },
  );
});

test.run();
