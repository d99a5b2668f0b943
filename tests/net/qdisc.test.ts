// pfifo_fast's bands in the egress (net/qdisc.ts): the schedule it computes
// when frames are queued is the one a line that dequeues the highest band's
// head at each free moment makes (the obvious version, kept here as the
// reference), and a frame of the top band waits behind at most the frame
// already on the wire and the frames ahead of it in its own band.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { Rng } from '../../kernel/rng.ts';
import { NicCounters } from '../../net/nic.ts';
import { make_profile, type NetProfile } from '../../net/profiles.ts';
import { Egress, prio2band, TC_PRIO_BESTEFFORT, TC_PRIO_BULK, TC_PRIO_INTERACTIVE } from '../../net/qdisc.ts';
import { FRAME_UDP, frame_counted_B, ser_ns, type Frame } from '../../net/wire.ts';

interface Sent {
  /** Gap after the previous frame was handed over, ns. */
  gap_ns: number;
  ip_B: number;
  prio: number;
}

const sent: fc.Arbitrary<Sent> = fc.record({
  gap_ns: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400_000 })),
  ip_B: fc.oneof(fc.constant(40), fc.constant(1500), fc.integer({ min: 28, max: 1500 })),
  prio: fc.constantFrom(TC_PRIO_BESTEFFORT, TC_PRIO_BULK, TC_PRIO_INTERACTIVE),
});

function frame_of(c: Cluster, s: Sent): Frame {
  return { kind: FRAME_UDP, src: c.node(0), dst: c.node(1), ip_B: s.ip_B, len_B: s.ip_B - 28, conn: null, seq: 0, ack: 0, tsval: 0, tsecr: -1, rst: false, prio: s.prio, delay_ns: 0, port: 9, data: null };
}

interface Placed {
  enq_ns: number;
  band: number;
  start_ns: number;
  end_ns: number;
  /** Frames handed over before it. */
  nth: number;
}

/** The egress as the network runs it: frames handed over in time order; each one's final time on the line. */
function run_egress(p: NetProfile, frames: Sent[]): { placed: Placed[]; requeued: number } {
  const c = new Cluster({ nodes: 2, mem_B: 1 << 20 });
  const live = new Map<Frame, { start: number; end: number; token: object }>();
  const egress = new Egress<object>(p, new NicCounters(), new Rng(1), (f, start, end) => {
    assert.not.ok(live.has(f), 'a frame is on the line once at a time');
    const token = {};
    live.set(f, { start, end, token });
    return token;
  }, (f, token) => {
    assert.is(live.get(f)?.token, token, 'only a frame on the line is taken off it');
    live.delete(f);
  });
  let now = 0;
  const fs: Frame[] = [];
  const enq: number[] = [];
  for (const s of frames) {
    now += s.gap_ns;
    const f = frame_of(c, s);
    assert.ok(egress.transmit(f, now), 'the queues are never full here');
    fs.push(f);
    enq.push(now);
  }
  const placed = fs.map((f, i) => ({ enq_ns: enq[i]!, band: prio2band(f.prio), start_ns: live.get(f)!.start, end_ns: live.get(f)!.end, nth: i }));
  return { placed, requeued: egress.requeued };
}

/**
 * The obvious version: the qdisc decides at dequeue time. Before each frame
 * is handed over, every frame whose departure (the highest band's head,
 * when the line and, under tbf, the bucket allow) comes at or before that
 * moment leaves; then the frame joins its band.
 */
function reference(p: NetProfile, frames: Sent[]): Placed[] {
  const bands: number[][] = [[], [], []];
  const out: Placed[] = [];
  const enq: number[] = [];
  let line_free = 0;
  const burst = p.tbf ? (p.tbf.burst_B * 8e9) / p.tbf.rate_bps : 0;
  let tok = burst;
  let tok_at = 0;
  let last = 0;
  /** When frame i would leave, and the bucket after it, if it were the head now. */
  const departure = (i: number): { dep: number; tok: number } => {
    const f = frames[i]!;
    if (!p.tbf) return { dep: Math.max(enq[i]!, line_free), tok };
    let t = Math.max(enq[i]!, last);
    let k = Math.min(burst, tok + (t - tok_at));
    const need = (frame_counted_B(f.ip_B) * 8e9) / p.tbf.rate_bps;
    if (k < need) {
      const wait = Math.ceil(need - k);
      t += wait;
      k = Math.min(burst, k + wait);
    }
    return { dep: t, tok: k - need };
  };
  const dequeue_until = (t: number): void => {
    for (;;) {
      const b = bands.findIndex((q) => q.length > 0);
      if (b < 0) return;
      const i = bands[b]![0]!;
      const d = departure(i);
      if (d.dep > t) return;
      bands[b]!.shift();
      tok = d.tok;
      tok_at = last = d.dep;
      const start = Math.max(d.dep, line_free);
      line_free = start + ser_ns(frames[i]!.ip_B, p.line_bps);
      out[i] = { enq_ns: enq[i]!, band: b, start_ns: start, end_ns: line_free, nth: i };
    }
  };
  let now = 0;
  frames.forEach((s, i) => {
    now += s.gap_ns;
    enq.push(now);
    dequeue_until(now);
    bands[prio2band(s.prio)]!.push(i);
  });
  dequeue_until(Infinity);
  return out;
}

const profiles = fc.constantFrom(make_profile('fast-ethernet'), make_profile('broadband'), make_profile('fast-ethernet', { bandwidth_mbps: 1000 }));

test('the schedule computed at enqueue is the one a dequeue at each free moment makes (pfifo and tbf, three bands)', () => {
  check(
    fc.property(profiles, fc.array(sent, { minLength: 1, maxLength: 60 }), (p, frames) => {
      assert.equal(run_egress(p, frames).placed, reference(p, frames));
    }),
    { numRuns: 300 },
  );
});

// Long runs at most a few frames deep (a gap of a full frame's time on Fast
// Ethernet mostly), so the queues never fill but do drop their fronts.
const spaced: fc.Arbitrary<Sent> = fc.record({
  gap_ns: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.integer({ min: 130_000, max: 400_000 }) }),
  ip_B: sent.map((s) => s.ip_B),
  prio: fc.constantFrom(TC_PRIO_BESTEFFORT, TC_PRIO_BULK, TC_PRIO_INTERACTIVE),
});
const fast_lines = fc.constantFrom(make_profile('fast-ethernet'), make_profile('fast-ethernet', { bandwidth_mbps: 1000 }));

test('the same over long runs, whose queues drop their front as they go (hundreds of frames gone at a time)', () => {
  check(
    fc.property(fast_lines, fc.array(spaced, { minLength: 300, maxLength: 900 }), (p, frames) => {
      assert.equal(run_egress(p, frames).placed, reference(p, frames));
    }),
    { numRuns: 20 },
  );
});

test('a frame of the top band waits behind at most the frame already on the wire and the frames ahead of it in its band', () => {
  check(
    fc.property(fc.array(sent, { minLength: 1, maxLength: 60 }), (frames) => {
      const p = make_profile('fast-ethernet');
      const { placed } = run_egress(p, frames);
      for (const f of placed) {
        if (f.band !== 0) continue;
        // Every frame that was not through the line when f was queued, and went on before f.
        const before = placed.filter((g) => g !== f && g.start_ns < f.start_ns && g.end_ns > f.enq_ns);
        const on_wire = before.filter((g) => g.start_ns <= f.enq_ns);
        assert.ok(on_wire.length <= 1, 'one frame is on the wire at a time');
        for (const g of before) {
          if (on_wire.includes(g)) continue;
          assert.is(g.band, 0, `frame ${g.nth} (band ${g.band}) went before top-band frame ${f.nth} queued at ${f.enq_ns}`);
          assert.ok(g.nth < f.nth, `frame ${g.nth} of its band was queued after frame ${f.nth}`);
        }
        // And the line is never idle while it waits.
        const free = Math.max(f.enq_ns, ...before.map((g) => g.end_ns));
        assert.is(f.start_ns, free, `top-band frame ${f.nth} waited for nothing`);
      }
      // Within a band, first in, first out.
      for (const f of placed) for (const g of placed) if (f.band === g.band && f.nth < g.nth) assert.ok(f.start_ns < g.start_ns);
    }),
    { numRuns: 300 },
  );
});

test('one band in use: nothing is ever taken back (a FIFO as before bands were used); a demand frame overtakes a burst', () => {
  const p = make_profile('fast-ethernet');
  const burst: Sent[] = Array.from({ length: 40 }, () => ({ gap_ns: 0, ip_B: 1500, prio: TC_PRIO_BESTEFFORT }));
  const fifo = run_egress(p, burst);
  assert.is(fifo.requeued, 0);
  const ser = ser_ns(1500, p.line_bps);
  fifo.placed.forEach((f, i) => assert.is(f.start_ns, i * ser));
  // A 40-byte request queued 1 us into the burst goes right after the frame on the wire.
  const mixed = run_egress(p, [...burst, { gap_ns: 1000, ip_B: 40, prio: TC_PRIO_INTERACTIVE }]);
  const req = mixed.placed[40]!;
  assert.is(req.start_ns, ser, 'behind the first frame only');
  assert.is(mixed.requeued, 39, 'the 39 frames still queued were given later starts');
  assert.is(mixed.placed[39]!.end_ns, 40 * ser + ser_ns(40, p.line_bps), 'the burst ends one small frame later');
});

test("pfifo_fast's limit is txqueuelen a band: a full best-effort band does not refuse a demand frame", () => {
  const p = make_profile('fast-ethernet');
  const c = new Cluster({ nodes: 2, mem_B: 1 << 20 });
  const nic = new NicCounters();
  const egress = new Egress<null>(p, nic, new Rng(1), () => null, () => {});
  let refused = 0;
  for (let i = 0; i < 150; i++) if (!egress.transmit(frame_of(c, { gap_ns: 0, ip_B: 1500, prio: TC_PRIO_BESTEFFORT }), 0)) refused++;
  assert.is(refused, 49, 'one on the wire, 100 waiting');
  assert.ok(egress.transmit(frame_of(c, { gap_ns: 0, ip_B: 40, prio: TC_PRIO_INTERACTIVE }), 0), 'the interactive band has room');
  assert.ok(egress.transmit(frame_of(c, { gap_ns: 0, ip_B: 40, prio: TC_PRIO_BULK }), 0), 'and so has the bulk band');
  assert.is(nic.tx_drop, 49);
  assert.is(egress.queued(0), 102);
});

test.run();
