// The send buffer of a writer that keeps it full (om/sndbuf.ts): 2.4's
// 16 KB at first, grown as tcp_new_space grows it, so that a push or a
// pre-copy round keeps a long path's window full. With 16 KB for good, a
// push on a 20 ms path ran at a quarter of the rate the receive window
// allows, and ampom-push ended 1.85x after openMosix there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { TCP_WMEM_DEFAULT_B, TCP_WMEM_MAX_B } from '../../net/tcp.ts';
import { write_while_room } from '../../om/sndbuf.ts';

/** Send n messages of size_B from node 0 to 1, all at once or through the writer; returns when the last arrived and the buffers seen. */
function transfer(latency_ms: number, n: number, size_B: number, writer: boolean): { end_ns: number; bufs: number[] } {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet', { latency_ms }));
  const [a, b] = [c.node(0), c.node(1)];
  let got = 0;
  let end_ns = 0;
  const arrive = (): void => {
    if (++got === n) end_ns = c.queue.now_ns;
  };
  const bufs: number[] = [];
  if (writer) {
    let sent = 0;
    write_while_room(a, b, 'mig', () => {
      bufs.push(net.sndbuf_B(a, b, 'mig'));
      if (sent === n) return false;
      sent++;
      net.send(a, b, size_B, c.queue.now_ns, arrive, { conn: 'mig' });
      return true;
    }, () => true);
  } else {
    for (let i = 0; i < n; i++) net.send(a, b, size_B, 0, arrive, { conn: 'mig' });
  }
  c.run();
  assert.is(got, n, 'every message arrived');
  return { end_ns, bufs };
}

test('on a 20 ms path the writer keeps the window full: within 5% of handing everything over at once', () => {
  const bulk = transfer(20, 200, 32 * 1024, false);
  const w = transfer(20, 200, 32 * 1024, true);
  assert.ok(w.end_ns <= bulk.end_ns * 1.05, `writer ${w.end_ns / 1e9} s against ${bulk.end_ns / 1e9} s at once`);
  assert.ok(Math.max(...w.bufs) > TCP_WMEM_DEFAULT_B, 'the buffer grew');
});

test('the buffer starts at tcp_wmem[1], never shrinks, never passes tcp_wmem[2], on any path', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 64 }), (latency_ms, n, kib) => {
      const { bufs } = transfer(latency_ms, n, kib * 1024, true);
      assert.is(bufs[0], TCP_WMEM_DEFAULT_B);
      for (let i = 1; i < bufs.length; i++) assert.ok(bufs[i]! >= bufs[i - 1]!, 'never shrinks');
      assert.ok(bufs.every((x) => x <= TCP_WMEM_MAX_B));
    }),
    { numRuns: 25 },
  );
});

test.run();
