// The paths that used to drop pages (issue 11), each as it was reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mmap_anon, sys_mprotect, sys_munmap } from '../../userland/libc.ts';
import { gather_figures, migrate_process } from '../../userland/experiment.ts';
import { audit_of, PageAudit } from '../../om/audit.ts';
import { PROT_NONE, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { frames_left, om_migrate, om_setup } from '../helpers/om.ts';
import { deputy_exit } from '../../om/deputy.ts';
import { om_node } from '../../om/state.ts';
import { own_page } from '../../om/pages.ts';
import { holder_of } from '../../om/remote.ts';

for (const path of [[1, 2], [1, 0]]) {
  test(`noprefetch: pages written before migrating survive 0 -> ${path.join(' -> ')}`, () => {
    const { c, d } = om_setup(3, 'noprefetch');
    const base = d.exec(mmap_anon(8 * PAGE_SIZE));
    for (let i = 0; i < 8; i++) d.write_u8(base + i * PAGE_SIZE, 10 + i);
    for (const to of path) om_migrate(d, to);
    const got = Array.from({ length: 8 }, (_, i) => d.read_u8(base + i * PAGE_SIZE));
    assert.equal(got, [10, 11, 12, 13, 14, 15, 16, 17]);
    d.exec({ kind: 'sys', nr: 1, args: [0] });
    c.run(); // the exit notes reach the holders
    for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
  });
}

for (const policy of ['openmosix', 'ampom', 'noprefetch'] as const) {
  test(`${policy}: a PROT_NONE page keeps its bytes across a migration and frees its frame`, () => {
    const { c, d } = om_setup(2, policy);
    const base = d.exec(mmap_anon(2 * PAGE_SIZE));
    d.write_u8(base, 41);
    d.write_u8(base + PAGE_SIZE, 1); // the last data page, which moves
    assert.is(d.exec(sys_mprotect(base, PAGE_SIZE, PROT_NONE)), 0);
    om_migrate(d, 1);
    assert.is(d.exec(sys_mprotect(base, PAGE_SIZE, PROT_READ | PROT_WRITE)), 0);
    assert.is(d.read_u8(base), 41);
    d.exec({ kind: 'sys', nr: 1, args: [0] });
    c.run(); // the exit notes reach the holders
    for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
  });
}

test('a destination out of frames during remote paging kills the task with SIGKILL, and the emulator goes on', () => {
  // Node 1 has 1 MiB: room for the migration, not for the 2 MiB array.
  const { c, d } = om_setup(2, 'ampom', 4);
  const base = d.exec(mmap_anon(2 << 20));
  for (let i = 0; i < 512; i++) d.write_u8(base + i * PAGE_SIZE, i & 0xff);
  om_migrate(d, 1);
  const hog: number[] = [];
  while (c.node(1).mem.free_frames > 64) hog.push(c.node(1).mem.alloc());
  for (let i = 0; i < 512 && d.alive; i++) d.read_u8(base + i * PAGE_SIZE);
  assert.not.ok(d.alive, 'the task was killed');
  assert.is(d.task.exit_signal?.signo, 9);
  assert.match(d.task.exit_reason, /out of memory/);
  for (const p of hog) c.node(1).mem.put(p);
  c.run();
  for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
});
test('a migrant whose home took it as lost stops with that reason when it next tells its home where it is', () => {
  // The home gave up on the process (its node went silent before the news
  // of its next migration came) and let its pages go; the process moves on
  // and, arriving, tells its home: it must not page from there.
  // The home missed the news of a move (it thinks the process is on node 3)
  // and node 3 crashed.
  const { c, d } = om_setup(4, 'ampom');
  const base = d.exec(mmap_anon(4 * PAGE_SIZE));
  for (let i = 0; i < 4; i++) d.write_u8(base + i * PAGE_SIZE, 7 + i);
  om_migrate(d, 1);
  c.run(c.queue.now_ns + 50e6); // node 1's news of its arrival lands while the home still knows the process
  assert.ok(d.alive);
  const dep = om_node(c.node(0)).deputies.get(d.task.pid)!;
  dep.where = 3;
  c.crash_node(c.node(3));
  deputy_exit(c.node(0), dep, { exit_code: 137, lost: 'remote node 3 unreachable' });
  try {
    om_migrate(d, 2);
  } catch (e) {
    assert.match(String(e), /dead/, d.task.exit_reason); // killed before the driver's next step
  }
  c.run();
  assert.is(d.task.node.id, 2, `it had arrived at node 2 (${d.task.exit_reason})`);
  assert.not.ok(d.alive, 'the task was killed');
  assert.is(d.task.exit_signal?.signo, 9);
  assert.match(d.task.exit_reason, /home node 0 took it as lost/);
  for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
});
for (const policy of ['noprefetch', 'ampom'] as const) {
  test(`${policy}: a migrant whose home took it as lost is stopped with that reason, never handed zeros for pages it wrote`, () => {
    const { c, d } = om_setup(2, policy);
    const base = d.exec(mmap_anon(8 * PAGE_SIZE));
    for (let i = 0; i < 8; i++) d.write_u8(base + i * PAGE_SIZE, 7 + i);
    om_migrate(d, 1);
    c.run(c.queue.now_ns + 50e6);
    // As om_peer_lost does when node 1 falls silent while it still runs the process.
    deputy_exit(c.node(0), om_node(c.node(0)).deputies.get(d.task.pid)!, { exit_code: 137, lost: 'remote node 1 unreachable' });
    // Every read either returns what was written or finds the task killed.
    const got: number[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const v = d.read_u8(base + i * PAGE_SIZE);
        if (v === undefined) break;
        got.push(v);
      }
    } catch (e) {
      assert.match(String(e), /dead/);
    }
    for (let i = 0; i < got.length; i++) assert.is(got[i], 7 + i, `page ${i} read back`);
    assert.not.ok(d.alive);
    assert.match(d.task.exit_reason, /home node 0 took it as lost/);
    c.run();
    for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
  });
}

for (const policy of ['postcopy', 'ampom-push', 'ampom'] as const) {
  test(`${policy}: a crash of a node the migrant has taken every page from does not kill it, and it migrates on`, () => {
    const { c, d } = om_setup(3, policy);
    const base = d.exec(mmap_anon(64 * PAGE_SIZE));
    for (let i = 0; i < 64; i++) d.write_u8(base + i * PAGE_SIZE, 7 + i);
    om_migrate(d, 1);
    c.run(c.queue.now_ns + 1e9);
    for (let i = 0; i < 64; i++) d.read_u8(base + i * PAGE_SIZE); // every page at node 1 now
    om_migrate(d, 2);
    c.run(c.queue.now_ns + 1e9);
    for (let i = 0; i < 64; i++) d.read_u8(base + i * PAGE_SIZE); // and at node 2
    assert.is(om_node(c.node(1)).holders.get(d.task.pid)?.hpt.rss ?? 0, 0, 'node 1 holds nothing');
    c.crash_node(c.node(1));
    c.run(c.queue.now_ns + 5e9); // long enough for every node to take node 1 as gone
    assert.ok(d.alive, d.task.exit_reason);
    const r = om_migrate(d, 0);
    assert.ok(r.ok);
    for (let i = 0; i < 64; i++) assert.is(d.read_u8(base + i * PAGE_SIZE), 7 + i, `page ${i}`);
    d.exec({ kind: 'sys', nr: 1, args: [0] });
    c.run();
    assert.is(audit_of(c).verdict(d.task.pid).lost, 0);
    for (const n of c.nodes) if (n.alive) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
  });
}

test('precopy from home: a range unmapped during the rounds is not brought back into a new mapping at the same address', () => {
  // Round 1 sends the range; the program unmaps it and maps fresh memory
  // there; the next round must not install round 1's copies into it.
  const { c, d } = om_setup(2, 'precopy', 64);
  const R = 64;
  const r = d.exec(mmap_anon(R * PAGE_SIZE));
  const big = d.exec(mmap_anon(1024 * PAGE_SIZE));
  for (let i = 0; i < R; i++) d.write_u8(r + i * PAGE_SIZE, 0xaa);
  for (let i = 0; i < 1024; i++) d.write_u8(big + i * PAGE_SIZE, 1);
  let res: { ok: boolean } | null = null;
  assert.is(migrate_process(c, d.task.pid, 1, undefined, (x) => (res = x)), 0);
  d.until(() => gather_figures(c, d.task.pid).precopy_rounds === 1);
  c.run(c.queue.now_ns + 100e6); // most of round 1, the range included
  assert.is(d.exec(sys_munmap(r, R * PAGE_SIZE)), 0);
  const r2 = d.exec(mmap_anon(R * PAGE_SIZE));
  assert.is(r2, r, 'the new mapping takes the old address');
  for (let i = 0; i < R / 2; i++) d.write_u8(r2 + i * PAGE_SIZE, 0x55); // half of it written, half left untouched
  for (let i = 0; i < 60; i++) d.write_u8(big + i * PAGE_SIZE, 2); // dirty enough for another round
  for (;;) {
    d.until(() => res !== null || d.task.stop_hook !== null);
    if (res !== null) break;
    d.exec({ kind: 'mark', label: 'boundary' });
  }
  assert.ok((res as { ok: boolean } | null)?.ok);
  assert.is(d.task.node.id, 1);
  assert.ok(gather_figures(c, d.task.pid).precopy_rounds >= 2);
  for (let i = 0; i < R; i++) assert.is(d.read_u8(r2 + i * PAGE_SIZE), i < R / 2 ? 0x55 : 0, `page ${i} of the new mapping`);
  for (let i = 0; i < 60; i++) assert.is(d.read_u8(big + i * PAGE_SIZE), 2);
  d.exec({ kind: 'sys', nr: 1, args: [0] });
  c.run();
  assert.is(audit_of(c).verdict(d.task.pid).lost, 0);
  for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
});

test('precopy: memory mapped and written during the rounds migrates with the rest (the new VMA goes before its pages)', () => {
  const { c, d } = om_setup(2, 'precopy', 64);
  const base = d.exec(mmap_anon(1024 * PAGE_SIZE));
  for (let i = 0; i < 1024; i++) d.write_u8(base + i * PAGE_SIZE, i & 0xff);
  let res: { ok: boolean; errno: number } | null = null;
  assert.is(migrate_process(c, d.task.pid, 1, undefined, (x) => (res = x)), 0);
  d.until(() => gather_figures(c, d.task.pid).precopy_rounds === 1);
  const nb = d.exec(mmap_anon(80 * PAGE_SIZE));
  for (let i = 0; i < 80; i++) d.write_u8(nb + i * PAGE_SIZE, 7);
  for (;;) {
    d.until(() => res !== null || d.task.stop_hook !== null);
    if (res !== null) break;
    d.exec({ kind: 'mark', label: 'boundary' });
  }
  const r = res as { ok: boolean; errno: number } | null;
  assert.ok(r?.ok, `migration failed: ${r?.errno}`);
  assert.is(d.task.node.id, 1);
  assert.ok(gather_figures(c, d.task.pid).precopy_rounds >= 2, 'the new pages went in a round');
  for (let i = 0; i < 80; i++) assert.is(d.read_u8(nb + i * PAGE_SIZE), 7, `new page ${i}`);
  for (let i = 0; i < 1024; i += 37) assert.is(d.read_u8(base + i * PAGE_SIZE), i & 0xff);
  d.exec({ kind: 'sys', nr: 1, args: [0] });
  c.run();
  assert.is(audit_of(c).verdict(d.task.pid).lost, 0);
  for (const n of c.nodes) assert.is(frames_left(c, n.id), 0, `${n.name} leaked frames`);
});

// Found by omemu chaos (seed 761516428: leap, 4 nodes, node 1 crashed
// after the process had moved on from it): pages the process had left at
// node 1 went with its crash, the process never needed them again and
// completed, and the audit counted them lost, with no reason given.
for (const policy of ['noprefetch', 'leap'] as const) {
  test(`${policy}: pages left at a node that crashed, never needed again, are named with the crash, not lost`, () => {
    const { c, d } = om_setup(3, policy);
    const base = d.exec(mmap_anon(16 * PAGE_SIZE));
    for (let i = 0; i < 16; i++) d.write_u8(base + i * PAGE_SIZE, 10 + i);
    om_migrate(d, 1);
    for (let i = 0; i < 8; i++) assert.is(d.read_u8(base + i * PAGE_SIZE), 10 + i); // brought to node 1
    om_migrate(d, 2);
    const at_1 = om_node(c.node(1)).holders.get(d.task.pid)?.hpt.rss ?? 0;
    assert.ok(at_1 > 0, 'node 1 holds some of its pages');
    c.queue.acting_as(c.node(1), () => c.crash_node(c.node(1)));
    // Pages still at home come; one of those node 1 held would be waited for until the limit killed the process.
    const mm = d.mm;
    for (let i = 8; i < 16; i++) if (holder_of(mm, base / PAGE_SIZE + i) === 0) assert.is(d.read_u8(base + i * PAGE_SIZE), 10 + i);
    assert.ok(d.alive);
    d.exec({ kind: 'sys', nr: 1, args: [0] });
    c.run(c.queue.now_ns + 1e9);
    const v = audit_of(c).verdict(d.task.pid);
    assert.is(v.corrupt, 0);
    assert.is(v.lost, 0, v.problem);
    assert.is(v.crash_lost, at_1);
    assert.match(v.crash_note, new RegExp(`^${at_1} pages it no longer needed went with node 1, which crashed holding them$`));
  });
}

test('the audit: a page whose only copy went with a crashed node (held there, or on the wire from it) is named; any other unseen page is lost', () => {
  const a = new PageAudit();
  const pid = 7;
  const { d } = om_setup(1, 'ampom');
  const base = d.exec(mmap_anon(5 * PAGE_SIZE));
  for (let i = 0; i < 5; i++) d.write_u8(base + i * PAGE_SIZE, i + 1);
  a.freeze(pid, d.mm);
  const vpns = [0, 1, 2, 3, 4].map((i) => base / PAGE_SIZE + i);
  // vpns[0] held at node 3; vpns[1] on the wire from node 3; vpns[2] on the wire from node 4; vpns[3] seen; vpns[4] never seen.
  a.sent(pid, vpns[1]!, 3);
  a.sent(pid, vpns[2]!, 4);
  a.node_crashed(3, new Map([[pid, [vpns[0]!]]]));
  a.seen_frame(pid, vpns[3]!, d.mm.mem, own_page(d.mm, vpns[3]!));
  const v = a.verdict(pid);
  assert.is(v.crash_lost, 2);
  // Every other page of the process (its stack and image too) was never seen again after the freeze.
  let pages = 0;
  d.mm.for_each_pte(0, 1 << 20, (vpn) => void (own_page(d.mm, vpn) >= 0 && pages++));
  assert.is(v.lost, pages - 3, 'the page on the wire from a live node, the one nowhere, and the rest');
  assert.is(v.crash_note, '2 pages it no longer needed went with node 3, which crashed holding them');
  // A killed process counts neither (its kill names the reason).
  const b = new PageAudit();
  b.freeze(pid, d.mm);
  b.node_crashed(3, new Map([[pid, [vpns[0]!]]]));
  const k = b.verdict(pid, false);
  assert.is(k.lost + k.crash_lost, 0);
});

test.run();
