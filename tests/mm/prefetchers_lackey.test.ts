// The lackey recordings of walk.c replayed through linux-ra, vma-ra and leap
// without om/ (tests/mm/lackey_walk.ts): on the sequential walk each asks
// home for fewer pages than NoPrefetch; on the random walk the two blind
// readaheads (linux-ra's cluster, leap's fallback) still bring pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../mm/linux_ra.ts';
import '../../mm/vma_ra.ts';
import '../../mm/leap.ts';
import { noprefetch_requests, replay_walk, walk_trace } from './lackey_walk.ts';

const SCHEMES = ['linux-ra', 'vma-ra', 'leap'];

test('walk seq: every scheme asks for fewer pages than NoPrefetch (one miss per 8-page window on the array)', async () => {
  const t = await walk_trace('seq');
  const np = noprefetch_requests(t);
  assert.ok(np >= 128, `NoPrefetch asks for every array page (${np})`);
  for (const s of SCHEMES) {
    const r = replay_walk(t, s);
    assert.is(r.broken, 0, `${s}: zone rules`);
    // 128 array pages in windows of 8 are 16 misses; the code, stack and
    // new pages after the walk add a few more, far from half of np.
    assert.ok(r.requests < np / 2, `${s}: ${r.requests} requests vs NoPrefetch ${np}`);
    assert.ok(r.hits > 0.9 * r.prefetched, `${s}: nearly every page brought is used (${r.hits} of ${r.prefetched})`);
  }
});

test('walk rand: linux-ra and leap read ahead blindly (pages brought, many never used); vma-ra backs off', async () => {
  const t = await walk_trace('rand');
  const np = noprefetch_requests(t);
  const lra = replay_walk(t, 'linux-ra');
  const leap = replay_walk(t, 'leap');
  const vra = replay_walk(t, 'vma-ra');
  for (const [s, r] of [['linux-ra', lra], ['leap', leap]] as const) {
    assert.is(r.broken, 0);
    assert.ok(r.prefetched > 0, `${s} prefetched ${r.prefetched}`);
    assert.ok(r.wasted > 0, `${s}: some pages brought on a random walk are never used`);
  }
  // No hits and faults far apart shrink the VMA window by halves to 1.
  assert.ok(vra.prefetched < lra.prefetched && vra.prefetched < leap.prefetched, `vma-ra ${vra.prefetched} vs linux-ra ${lra.prefetched}, leap ${leap.prefetched}`);
  assert.ok(lra.requests < np, 'the array is small: its clusters still cover most touched pages');
});

test.run();
