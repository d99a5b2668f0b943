// `omemu explain`: the zone and the reasons for the last fault of a window,
// for each scheme, and one-line errors for bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explain } from '../../userland/cli/cmd_explain.ts';
import { analyze_window } from '../../userland/cli/cmd_ampom.ts';
import { UsageError } from '../../userland/cli/usage.ts';

test('linux-ra: the cluster, its base and where the walk stopped', () => {
  const r = explain({ scheme: 'linux-ra', window: '1013', vma: '1000,1100', holes: '1010' });
  assert.is(r.offset, 13);
  assert.is(r.cluster_base, 8);
  assert.equal(r.cluster, [1008, 1015]);
  assert.is(r.walk_stopped, 'at 1010: page never existed');
  assert.equal(r.zone, [1008, 1009]);
});

test('vma-ra: hits derived by replaying the window widen it to 8, placed forward', () => {
  const r = explain({ scheme: 'vma-ra', window: '100,500,499,501,502,503', vma: '0,4096' });
  assert.equal(r.faults, ['100:miss+7', '500:miss+3', '499:hit', '501:hit', '502:hit', '503:miss+7']);
  assert.is(r.hits, 3);
  assert.is(r.previous_window, 4);
  assert.is(r.window, 8);
  assert.is(r.placement, 'forward');
  assert.equal(r.zone, [504, 505, 506, 507, 508, 509, 510]);
});

test('vma-ra: --hits overrides: the same faults, all misses, shrink the window to 2', () => {
  // Windows: 8 (new VMA); 4 (far, no hits: 1, but half of 8); 2 (499 next to 500);
  // 1 (501 is 2 from 499, half of 2 is 1); 2 (502 next to 501); 2 (503 next to 502).
  const r = explain({ scheme: 'vma-ra', window: '100,500,499,501,502,503', vma: '0,4096', hits: '0,0,0,0,0,0' });
  assert.equal(r.faults, ['100:miss+7', '500:miss+3', '499:miss+1', '501:miss+0', '502:miss+1', '503:miss+1']);
  assert.is(r.hits, 0);
  assert.is(r.window, 2);
  assert.equal(r.zone, [504]);
});

test('leap: the majority delta and the history length it was found in', () => {
  // 200 finds the one-delta trend +100 and brings 300, 400, 500 (window 4):
  // three hits, so 601 has a window of 8; its deltas 101, 100 x4: 100 has 4 of 5.
  const r = explain({ scheme: 'leap', window: '100,200,300,400,500,601' });
  assert.equal(r.faults, ['100:miss+7', '200:miss+3', '300:hit', '400:hit', '500:hit', '601:miss+7']);
  assert.is(r.majority_candidate, 100);
  assert.is(r.count, 4);
  assert.is(r.of, 5);
  assert.is(r.window, 8);
  assert.match(String(r.trend), /delta 100 found in the newest 5/);
  assert.equal(r.zone, [701, 801, 901, 1001, 1101, 1201, 1301]);
});

test('leap: no majority -> the readahead block', () => {
  // Deltas 100, -50, 180, -29: no majority. The block of the window (4) at
  // offset 201 is 1200..1203; 1200 was brought already by 1100's one-delta trend.
  const r = explain({ scheme: 'leap', window: '1000,1100,1050,1230,1201', vma: '1000,2000' });
  assert.is(r.trend, 'none in the newest 8, 16 or 32: readahead');
  assert.equal(r.readahead_block, [1200, 1203]);
  assert.equal(r.zone, [1202, 1203]);
});

test('ampom: the analysis of `omemu ampom`, unchanged', () => {
  const o = { window: '13,27,7,8,14,8,3,15,4,5' };
  const r = explain({ scheme: 'ampom', ...o });
  const { scheme, ...rest } = r;
  assert.is(scheme, 'ampom');
  assert.equal(rest, analyze_window({ ...o, dmax: 4 }));
  assert.equal(r.pivots, [16, 5, 6]);
});

test('bad input is a UsageError naming the option', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ scheme: 'lru', window: '1,2' }, /--scheme/],
    [{ scheme: 'leap', window: '1,x' }, /--window: item 2/],
    [{ scheme: 'leap', window: '1,2,1' }, /both page 1/],
    [{ scheme: 'vma-ra', window: '5', vma: '10,20' }, /outside the VMA/],
    [{ scheme: 'leap', window: '1,2', hits: '1' }, /--hits gives 1/],
    [{ scheme: 'linux-ra', window: '3', holes: '3' }, /--holes/],
    [{ scheme: 'ampom', window: '1,2', hits: '0,1' }, /not ampom/],
  ];
  for (const [o, re] of bad) assert.throws(() => explain(o as never), (e: Error) => e instanceof UsageError && re.test(e.message), JSON.stringify(o));
});

test.run();
