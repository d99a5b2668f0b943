// End to end: on a sequential-touch program AMPoM sends far fewer remote
// fault requests than NoPrefetch, and both finish with every page intact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run_experiment } from '../../userland/experiment.ts';
import { KERNELS } from '../../userland/cli/cmd_run.ts';
import { make_profile } from '../../net/profiles.ts';

test('AMPoM vs NoPrefetch on seqtouch (4 MiB, one pass)', () => {
  const run = (scheme: 'noprefetch' | 'ampom') =>
    run_experiment({ program: KERNELS.seqtouch!({ mib: 4, passes: 1, mode: 'fast' }), scheme, profile: make_profile('fast-ethernet'), node_mem_B: 64 << 20 });
  const np = run('noprefetch');
  const am = run('ampom');
  assert.ok(np.verified && am.verified, 'both runs verified');
  assert.is(np.prefetched_pages, 0);
  assert.ok(am.prefetched_pages > 0);
  const ratio = am.remote_fault_requests / np.remote_fault_requests;
  console.log(`  seqtouch 4 MiB: AMPoM ${am.remote_fault_requests} vs NoPrefetch ${np.remote_fault_requests} requests (ratio ${ratio.toFixed(3)}), runtime ${am.runtime_s} s vs ${np.runtime_s} s`);
  assert.ok(ratio < 0.6, `AMPoM should prevent a large share of requests, ratio ${ratio}`);
  assert.ok(am.runtime_s < np.runtime_s, 'and finish sooner');
});

test('the same seed gives byte-identical results', () => {
  const run = () => JSON.stringify(run_experiment({ program: KERNELS.seqtouch!({ mib: 1, passes: 1, mode: 'fast' }), scheme: 'ampom', profile: make_profile('fast-ethernet', { cross_traffic: 0.3 }), seed: 5, node_mem_B: 64 << 20 }));
  assert.is(run(), run());
});

test.run();
