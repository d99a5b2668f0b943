// bench-micro's children that say what a page's transport costs: the TCP
// bulk transfer (tcp_run) counts every segment of its stream, and a kernel
// run (kernel_run) counts the data segments and bare ACKs its nodes sent,
// enough to carry every page it says crossed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { script_argv } from '../../userland/bench/child.ts';
import { MSS_B } from '../../net/wire.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';

const run = (script: string, args: string[]) => spawnSync(process.execPath, [...script_argv(new URL(`../../userland/bench/${script}`, import.meta.url)), ...args], { encoding: 'utf8' });

test('tcp_run: a stream of whole messages goes in full segments, and the last one', () => {
  const p = run('tcp_run.ts', ['2']);
  assert.is(p.status, 0, p.stderr);
  const r = JSON.parse(p.stdout) as { us_a_segment: number; bytes: number; data_segments: number; ack_segments: number };
  assert.ok(r.bytes >= 2 << 20);
  assert.is(r.data_segments, Math.ceil(r.bytes / MSS_B));
  // 2.4 acknowledges every second full segment at least.
  assert.ok(r.ack_segments >= Math.floor(r.data_segments / 2) && r.ack_segments <= r.data_segments, `${r.ack_segments} ACKs`);
  assert.ok(r.us_a_segment > 0);
});

test('tcp_run names a bad size in one line (exit 2)', () => {
  const p = run('tcp_run.ts', ['0.5']);
  assert.is(p.status, 2);
  assert.match(p.stderr, /size must be a whole number of MiB above 0, got 0\.5/);
  assert.is(p.stderr.trim().split('\n').length, 1);
});

test("kernel_run counts the segments that carried a migration's pages", () => {
  for (const scheme of ['openmosix', 'ampom']) {
    const p = run('kernel_run.ts', ['stream', '4', scheme, 'migrate']);
    assert.is(p.status, 0, p.stderr);
    const r = JSON.parse(p.stdout) as { verified: boolean; pages: number; data_segments: number; ack_segments: number };
    assert.ok(r.verified, scheme);
    assert.ok(r.pages > 500, `${scheme}: ${r.pages} pages`);
    assert.ok(r.data_segments * MSS_B >= r.pages * PAGE_SIZE, `${scheme}: ${r.data_segments} segments for ${r.pages} pages`);
    assert.ok(r.ack_segments > 0, scheme);
  }
  const none = JSON.parse(run('kernel_run.ts', ['stream', '4', 'openmosix', 'no']).stdout) as { pages: number; data_segments: number };
  assert.is(none.pages, 0);
});

test.run();
