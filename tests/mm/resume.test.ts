// A step resumed part-way skips re-resolving the references before its stop
// when nothing can have changed them (MmStruct.prefix_hits, a fast path).
// Property: whole runs give the same results, field for field, with the fast
// path and with the obvious one (every prefix resolved again), whatever the
// kernel, scheme, size, network and migration time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { MmStruct } from '../../mm/mm_struct.ts';
import { POLICIES } from '../../om/state.ts';
import { normalize } from '../../userland/sweep/config.ts';
import { run_config } from '../../userland/sweep/run.ts';

function both(config: Record<string, unknown>): [string, string] {
  const c = normalize(config);
  MmStruct.always_resolve_resumed = false;
  const fast = JSON.stringify(run_config(c));
  MmStruct.always_resolve_resumed = true;
  try {
    return [fast, JSON.stringify(run_config(c))];
  } finally {
    MmStruct.always_resolve_resumed = false;
  }
}

test('property: a run with the resume fast path gives what the obvious path gives', () => {
  check(
    fc.property(
      // A migration point the kernel reaches: seqtouch passes no timed_done mark.
      fc.constantFrom('dgemm', 'stream', 'randomaccess', 'fft', 'seqtouch').chain((k) =>
        fc.tuple(fc.constant(k), fc.constantFrom('setup_done', '1ms', '20ms', ...(k === 'seqtouch' ? [] : ['timed_done']))),
      ),
      fc.constantFrom(...POLICIES),
      fc.double({ min: 0.5, max: 3, noNaN: true }),
      fc.constantFrom(null, 6, 24),
      fc.integer({ min: 1, max: 1000 }),
      ([kernel, migrate_at], scheme, mib, bandwidth, seed) => {
        const [fast, obvious] = both({ kernel, scheme, mib: Math.round(mib * 100) / 100, migrate_at, bandwidth, seed });
        assert.is(fast, obvious);
      },
    ),
    { numRuns: 12 },
  );
});

test('property: a small cluster run (tasks sharing CPUs, migrating) gives the same results both ways', () => {
  check(
    fc.property(fc.constantFrom('openmosix', 'ampom', 'ampom-push'), fc.integer({ min: 1, max: 1000 }), (scheme, seed) => {
      const [fast, obvious] = both({ kind: 'cluster', nodes: 4, logins: 1, jobs: 6, rate: 4, scale: 0.01, balancer: 'mosix', scheme, seed });
      assert.is(fast, obvious);
    }),
    { numRuns: 3 },
  );
});

test.run();
