// Model-based test of the whole migration path (fc.commands): a migrant on a
// 3- or 4-node cluster maps, writes, reads, unmaps and protects memory, and
// migrates to any node (home included) under every scheme, with demand
// first on the wire or not (--preempt: its own connection in the qdisc's
// top band, and pages pushed a moment ago sent again), while aborts,
// crashes and partitions are injected. The model is a host-side shadow of
// every byte the program wrote. After every command:
// - a live task reads back exactly the model's bytes;
// - each page with contents is in exactly one place (the migrant, the wire,
//   or one live node's HPT);
// - a task that ended, ended for a named reason a fault explains;
// and after the sequence every frame of every live node is free, and a task
// that completed lost and corrupted nothing. The emulator never throws.
//
// `make test` runs 300 sequences from the seed of tests/helpers/prop.ts
// (FC_SEED, else the commit's) and replays those fuzzing found; `make fuzz`
// runs new ones for a time budget (OMEMU_FUZZ_SECONDS) from a fresh seed.
// A failure it reports replays at once with its seed, path and the
// replayPath in its counterexample (make fuzz FC_SEED=.. FUZZ_PATH=..
// FUZZ_REPLAY=..).
import { migrate_process } from '../../userland/experiment.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check, SEED } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { fault_plan_of } from '../../kernel/faultplan.ts';
import { PROT_NONE, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { network_of } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { audit_of } from '../../om/audit.ts';
import { MIG_STEPS, mig_attempt_now } from '../../om/faults.ts';
import { om_init } from '../../om/index.ts';
import { peer_lost } from '../../om/liveness.ts';
import { EHOSTUNREACH } from '../../kernel/errno.ts';
import { set_partition_limit } from '../../om/pause.ts';
import { set_comm_tap } from '../../om/comm.ts';
import { MIG_DONE, MIG_GO, MIG_TASK } from '../../om/proto.ts';
import { own_page } from '../../om/pages.ts';
import { POLICIES, om_node, om_task, om_task_init, set_share_nothing_check, type Policy } from '../../om/state.ts';
import { mmap_anon, sys_mprotect, sys_munmap } from '../../userland/libc.ts';
import { Driver } from '../helpers/driver.ts';

interface Region {
  base: number;
  pages: number;
  prot: number;
}

interface Model {
  regions: Region[];
  /** addr -> byte the program wrote there */
  bytes: Map<number, number>;
  /** the task was ended by a fault (what ended it) */
  ended: string | null;
  /** frame loss was on at some point: a migration may then fail (a connection gave up, a peer seemed silent) */
  lossy: boolean;
  /** A partition or frame loss happened: messages may have been lost with a connection that gave up. */
  faulty: boolean;
  /**
   * Node pairs ('a-b', a < b) a partition left with a half-open connection:
   * an end at one of them gave up on its user timeout (a timed-out end sends
   * no reset) while the other end, with nothing to send, went on; its next
   * segment draws a reset. A node keeps one connection per peer and purpose
   * (net/tcp_ipv4.ts), so the next migration between them may fail.
   */
  half_open: Set<string>;
  /**
   * Pages whose REM_UNMAP was lost with a connection that gave up: their old
   * copies stay at the holder until the process exits; no table names them,
   * so they can never be mapped again (only then are they allowed).
   */
  stale: Set<number>;
  dead_nodes: Set<number>;
  /** The partition limit the cluster runs with (om/pause.ts): a fault kills only once it has lasted this long. */
  limit_ns: number;
  /** Migrations whose caller was told they completed. */
  migrations_ok: number;
}

interface Real {
  c: Cluster;
  d: Driver;
  /** How many times the task exited (a task killed once and run again would exit twice). */
  exits: () => number;
}

const byte_addr = (r: Region, page: number): number => r.base + page * PAGE_SIZE + ((page * 97) % PAGE_SIZE);
/** Wait long enough for a silent peer to be taken as unreachable (3 missed intervals, one check interval, a ping's phase). */
const SETTLE_NS = 5e9;
/** Reasons a fault may give for ending the task. */
const NAMED = /unreachable|crashed|out of memory|lost: node|took it as lost|lost in migration/;

/** The task ended: it must have been for a named reason, and the model stops using it. */
function note_end(m: Model, r: Real): boolean {
  assert.ok(r.exits() <= 1, `the task exited ${r.exits()} times: it ran again after it ended`);
  if (m.ended) assert.not.ok(r.d.alive, `the task ended (${m.ended}) and then ran again`);
  if (r.d.alive) return false;
  assert.match(r.d.exit_reason, NAMED, `the task ended without a named reason: '${r.d.exit_reason}'`);
  m.ended = r.d.exit_reason;
  return true;
}

function check_invariants(m: Model, r: Real): void {
  if (note_end(m, r) || m.ended) return;
  const { c, d } = r;
  // On its way between two nodes (a destination holds the migration in
  // doubt): its pages are checked once it runs again, or it ends.
  if (!d.task.node.tasks.has(d.task)) return;
  // Its home took it as lost (a verdict acted on: under the limit 0 at
  // once, as openMosix does, even from a connection reset by the peer's new
  // one): its pages there went with the verdict, and it runs on only until
  // it hears, then ends for that reason. Only a fault leads there.
  const home = d.task.home;
  if (home.alive && om_node(home).ended.get(d.task.pid)?.lost) {
    assert.ok(m.faulty, `its home took it as lost (${om_node(home).ended.get(d.task.pid)!.lost}) though no fault happened`);
    return;
  }
  const mm = d.mm as MmStruct;
  const st = om_task(d.task)!;
  // Every page with contents, wherever it is: each must be in one place.
  const where = new Map<number, string[]>();
  const at = (vpn: number, place: string): void => {
    const l = where.get(vpn);
    if (l) l.push(place);
    else where.set(vpn, [place]);
  };
  mm.for_each_pte(0, 1 << 20, (vpn) => own_page(mm, vpn) >= 0 && at(vpn, 'local'));
  for (const vpn of st.arrived.keys()) at(vpn, 'arrived');
  for (const vpn of audit_of(c).in_flight(d.task.pid)) at(vpn, 'wire');
  for (const n of c.nodes) {
    const hpt = n.alive ? om_node(n).holders.get(d.task.pid)?.hpt : undefined;
    hpt?.for_each_pte(0, 1 << 20, (vpn) => own_page(hpt, vpn) >= 0 && !m.stale.has(vpn) && at(vpn, `held@${n.id}`));
  }
  for (const [vpn, places] of where) assert.is(places.length, 1, `page 0x${vpn.toString(16)} is at ${places.join(', ')}`);
  // And every page the program wrote is somewhere.
  for (const reg of m.regions) {
    for (let p = 0; p < reg.pages; p++) {
      const vpn = reg.base / PAGE_SIZE + p;
      if (m.bytes.has(byte_addr(reg, p))) assert.ok(where.has(vpn), `page 0x${vpn.toString(16)} is nowhere`);
    }
  }
}

const readable = (reg: Region): boolean => (reg.prot & PROT_READ) !== 0;
const writable = (reg: Region): boolean => (reg.prot & PROT_WRITE) !== 0;

const pair = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);

/** Whether the faults so far may fail a migration between a and b: frame loss or a commit-window fault, or a connection between them left half open. */
const may_fail = (m: Model, a: number, b: number): boolean => m.lossy || m.half_open.has(pair(a, b));

/**
 * Ask for a migration; whether it was taken. A source refuses at once
 * (-EHOSTUNREACH) a migration to a peer it has taken as unreachable, a
 * verdict that stands until it hears from the peer again or has no more
 * business with it (within one interval): a connection that gave up or was
 * reset leaves one even to a node that answers. Only a fault that may fail
 * a migration explains a refusal, and the process goes on where it is.
 */
function start_migration(r: Real, to: number, may_fail_before: boolean, done: (x: { ok: boolean; errno: number }) => void): boolean {
  const { c, d } = r;
  const from = d.task.node.id;
  const rc = migrate_process(c, d.task.pid, to, undefined, done);
  if (rc === 0) return true;
  assert.is(rc, -EHOSTUNREACH, `migrate_process refused with ${rc}`);
  assert.ok(may_fail_before, 'a migration refused as unreachable though no fault could have left such a verdict');
  assert.ok(peer_lost(c.node(from), to), `refused as unreachable, yet node ${from} has not taken node ${to} as unreachable`);
  assert.is(d.task.node.id, from, 'a refused migration leaves the process where it is');
  return false;
}

class MmapCmd implements fc.Command<Model, Real> {
  constructor(readonly pages: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length < 4;
  run(m: Model, r: Real): void {
    const base = r.d.exec(mmap_anon(this.pages * PAGE_SIZE));
    if (note_end(m, r)) return;
    assert.ok(base > 0, `mmap gave ${base}`);
    m.regions.push({ base, pages: this.pages, prot: PROT_READ | PROT_WRITE });
    check_invariants(m, r);
  }
  toString = (): string => `mmap(${this.pages})`;
}

class WriteCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number, readonly page: number, readonly value: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0 && writable(m.regions[this.reg % m.regions.length]!);
  run(m: Model, r: Real): void {
    const reg = m.regions[this.reg % m.regions.length]!;
    const addr = byte_addr(reg, this.page % reg.pages);
    r.d.write_u8(addr, this.value);
    if (note_end(m, r)) return;
    m.bytes.set(addr, this.value);
    check_invariants(m, r);
  }
  toString = (): string => `write(r${this.reg}, p${this.page}, ${this.value})`;
}

class ReadCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number, readonly page: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0 && readable(m.regions[this.reg % m.regions.length]!);
  run(m: Model, r: Real): void {
    const reg = m.regions[this.reg % m.regions.length]!;
    const addr = byte_addr(reg, this.page % reg.pages);
    const got = r.d.read_u8(addr);
    if (note_end(m, r)) return;
    assert.is(got, m.bytes.get(addr) ?? 0, `byte at 0x${addr.toString(16)}`);
    check_invariants(m, r);
  }
  toString = (): string => `read(r${this.reg}, p${this.page})`;
}

/** Write every page of a region (a loop over an array), then leave the data page elsewhere. */
class FillCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number, readonly value: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0 && writable(m.regions[this.reg % m.regions.length]!);
  run(m: Model, r: Real): void {
    const reg = m.regions[this.reg % m.regions.length]!;
    for (let p = 0; p < reg.pages; p++) {
      const addr = byte_addr(reg, p);
      const v = (this.value + p) & 0xff || 1;
      r.d.write_u8(addr, v);
      if (note_end(m, r)) return;
      m.bytes.set(addr, v);
    }
    check_invariants(m, r);
  }
  toString = (): string => `fill(r${this.reg}, ${this.value})`;
}

/** Read back every page of a region. */
class ReadAllCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0 && readable(m.regions[this.reg % m.regions.length]!);
  run(m: Model, r: Real): void {
    const reg = m.regions[this.reg % m.regions.length]!;
    for (let p = 0; p < reg.pages; p++) {
      const addr = byte_addr(reg, p);
      const got = r.d.read_u8(addr);
      if (note_end(m, r)) return;
      assert.is(got, m.bytes.get(addr) ?? 0, `byte at 0x${addr.toString(16)}`);
    }
    check_invariants(m, r);
  }
  toString = (): string => `read_all(r${this.reg})`;
}

/**
 * A connection closed early by one of its ends while the process pages it
 * in: `delay_us` after the `nth` om message of the process from the start
 * of a read of every page of a region, that message's sender (or its
 * receiver) resets its connections to the other (net.reset: an RST, as a
 * node sends when it gives up on a peer). What either end had queued
 * (requests, pages, answers) is lost with them. Under a partition limit
 * both nodes are still there: the process pauses and goes on with every
 * byte; under the limit 0 it may end, for a named reason.
 */
class ResetCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number, readonly nth: number, readonly delay_us: number, readonly by_sender: boolean) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0 && readable(m.regions[this.reg % m.regions.length]!);
  run(m: Model, r: Real): void {
    const { c, d } = r;
    const pid = d.task.pid;
    m.faulty = true;
    m.lossy = true; // a migration soon after may find a verdict standing
    let seen = 0;
    let fired = false;
    set_comm_tap((from, to, msg) => {
      if (fired || msg.pid !== pid || ++seen < this.nth) return;
      fired = true;
      const [a, b] = this.by_sender ? [from, to] : [to, from];
      c.queue.after(this.delay_us * 1e3, () => {
        if (!a.alive || !b.alive) return;
        c.queue.ctx = a; // node a's act (it gives up its connections), not that of the node whose message armed it
        network_of(c).reset(a, b);
      });
    });
    try {
      new ReadAllCmd(this.reg).run(m, r);
    } finally {
      set_comm_tap(null);
    }
    // Let the verdicts the reset left be undone by hearing the peer again.
    c.run(c.queue.now_ns + SETTLE_NS);
    if (note_end(m, r)) {
      assert.is(m.limit_ns, 0, `a reset between two nodes still there ended the process under a partition limit (${m.ended})`);
      return;
    }
    check_invariants(m, r);
  }
  toString = (): string => `reset(r${this.reg}, message ${this.nth}+${this.delay_us}us, by its ${this.by_sender ? 'sender' : 'receiver'})`;
}

class MunmapCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0;
  run(m: Model, r: Real): void {
    const i = this.reg % m.regions.length;
    const reg = m.regions[i]!;
    assert.is(r.d.exec(sys_munmap(reg.base, reg.pages * PAGE_SIZE)), 0);
    if (note_end(m, r)) return;
    m.regions.splice(i, 1);
    for (let p = 0; p < reg.pages; p++) m.bytes.delete(byte_addr(reg, p));
    // Let the REM_UNMAP reach the holders (TCP may have to resend it), and
    // the old pages already on their way arrive (to be dropped): until then
    // they are still somewhere, and a new mapping at the same address could
    // meet them.
    const wire = audit_of(r.c).in_flight(r.d.task.pid);
    const lo = reg.base / PAGE_SIZE;
    const held_in_range = (): boolean =>
      [...wire].some((v) => v >= lo && v < lo + reg.pages) ||
      r.c.nodes.some((n) => {
        const hpt = n.alive ? om_node(n).holders.get(r.d.task.pid)?.hpt : undefined;
        let any = false;
        hpt?.for_each_pte(reg.base / PAGE_SIZE, reg.base / PAGE_SIZE + reg.pages, (v) => void (any ||= own_page(hpt, v) >= 0));
        return any;
      });
    const waited = r.d.limit_ns;
    r.d.limit_ns = 20e9;
    try {
      r.d.until(() => !held_in_range() || !r.d.alive);
    } catch {
      // Still held after 20 s: only a REM_UNMAP lost with a connection that gave up explains it.
      assert.ok(m.faulty, 'a holder kept unmapped pages though no message could have been lost');
      for (let p = 0; p < reg.pages; p++) m.stale.add(reg.base / PAGE_SIZE + p);
    }
    r.d.limit_ns = waited;
    if (note_end(m, r)) return;
    check_invariants(m, r);
  }
  toString = (): string => `munmap(r${this.reg})`;
}

class MprotectCmd implements fc.Command<Model, Real> {
  constructor(readonly reg: number, readonly prot: number) {}
  check = (m: Model): boolean => !m.ended && m.regions.length > 0;
  run(m: Model, r: Real): void {
    const reg = m.regions[this.reg % m.regions.length]!;
    assert.is(r.d.exec(sys_mprotect(reg.base, reg.pages * PAGE_SIZE, this.prot)), 0);
    if (note_end(m, r)) return;
    reg.prot = this.prot;
    check_invariants(m, r);
  }
  toString = (): string => `mprotect(r${this.reg}, ${this.prot})`;
}

class MigrateCmd implements fc.Command<Model, Real> {
  constructor(readonly to: number, readonly abort: { side: 'src' | 'dest'; step: string } | null) {}
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    const { c, d } = r;
    const to = this.to % c.nodes.length;
    if (to === d.task.node.id || m.dead_nodes.has(to)) return;
    if (this.abort) {
      const nth = mig_attempt_now(c, d.task.pid) + 1;
      const f = { kind: 'abort' as const, side: this.abort.side, step: this.abort.step, nth };
      fault_plan_of(c).faults.push({ spec: `abort:${f.side}@${f.step}#${nth}`, fault: f, injected_ns: null });
    }
    let res: { ok: boolean } | null = null;
    const from = d.task.node.id;
    const taken = start_migration(r, to, may_fail(m, from, to), (x) => {
      res = x;
      if (x.ok) m.migrations_ok++;
    });
    if (!taken) {
      // No attempt began: the abort planned for it must not fall on the next one.
      if (this.abort) fault_plan_of(c).faults.pop();
      check_invariants(m, r);
      return;
    }
    // The idle task reaches an operation boundary only when given one: give
    // it one whenever the migration waits for it (pre-copy asks after its rounds).
    for (;;) {
      d.until(() => res !== null || !d.alive || d.task.stop_hook !== null);
      if (res !== null || !d.alive) break;
      d.exec({ kind: 'mark', label: 'boundary' });
    }
    if (note_end(m, r)) return;
    const got = res as { ok: boolean; errno: number } | null;
    assert.ok(got, 'the migration ended one way or the other');
    if (this.abort) assert.not.ok(got!.ok, 'an aborted migration fails');
    else if (!may_fail(m, from, to)) assert.ok(got!.ok, `a migration without faults succeeds (errno ${got!.errno})`);
    assert.is(d.task.node.id, got!.ok ? to : from);
    check_invariants(m, r);
  }
  toString = (): string => `migrate(${this.to}${this.abort ? `, abort ${this.abort.side}@${this.abort.step}` : ''})`;
}

class CrashCmd implements fc.Command<Model, Real> {
  constructor(readonly node: number) {}
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    const { c } = r;
    const n = this.node % c.nodes.length;
    if (m.dead_nodes.has(n)) return;
    m.dead_nodes.add(n);
    c.crash_node(c.node(n));
    c.run(c.queue.now_ns + m.limit_ns + SETTLE_NS);
    if (note_end(m, r)) return;
    // Still alive: it cannot depend on the dead node any more.
    assert.ok(r.d.task.node.id !== n && r.d.task.home.id !== n, 'a task whose node or home crashed is not alive');
    check_invariants(m, r);
  }
  toString = (): string => `crash(${this.node})`;
}

/**
 * A partition between two nodes: short (0.5 s), long (5 s), or one that
 * `outlast`s every connection's user timeout (the partition limit and 10 s
 * more, at least 5 s; and 5 s beyond): an end with data of its own gives
 * up while the other, idle, stays half open until its next message meets
 * a reset.
 */
class PartitionCmd implements fc.Command<Model, Real> {
  constructor(readonly a: number, readonly b: number, readonly long: boolean, readonly outlast = false) {}
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    const { c } = r;
    const a = this.a % c.nodes.length;
    const b = this.b % c.nodes.length;
    if (a === b || m.dead_nodes.has(a) || m.dead_nodes.has(b)) return;
    const now = c.queue.now_ns;
    const dur = this.outlast ? Math.max(5e9, m.limit_ns + 10e9) + 5e9 : this.long ? 5e9 : 5e8;
    m.faulty = true;
    const net = network_of(c);
    const timeouts = (): number => net.stats(c.node(a)).user_timeouts + net.stats(c.node(b)).user_timeouts;
    const before = timeouts();
    net.partition(c.node(a), c.node(b), now, now + dur);
    c.run(now + dur + SETTLE_NS);
    if (timeouts() > before) m.half_open.add(pair(a, b));
    if (note_end(m, r)) return;
    check_invariants(m, r);
  }
  toString = (): string => `partition(${this.a}-${this.b}, ${this.outlast ? 'outlasting' : this.long ? 'long' : 'short'})`;
}

/** Messages around a migration's commit, and what can go wrong after one of them. */
const COMMIT_MSGS = { MIG_TASK, MIG_DONE, MIG_GO } as const;
type CommitMsg = keyof typeof COMMIT_MSGS;
type CommitFault = 'cut-src-dest' | 'cut-dest-home' | 'cut-src-home' | 'crash-src' | 'crash-dest';

/**
 * A migration with a fault in the window around its commit: some time
 * (0-3 ms) after the source or destination sends MIG_TASK, MIG_DONE or
 * MIG_GO, a partition between two of the nodes involved (shorter than the
 * liveness verdict, longer, or longer than a destination waits for a
 * silent source) or a crash of one end. Whatever the interleaving of the
 * verdicts, the kill, the give-up and the lost messages: the task ends at
 * most once, for a named reason, or goes on with every byte, in one place.
 */
class CommitWindowCmd implements fc.Command<Model, Real> {
  constructor(readonly to: number, readonly msg: CommitMsg, readonly delay_us: number, readonly fault: CommitFault, readonly dur_s: number) {}
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    const { c, d } = r;
    const to = this.to % c.nodes.length;
    const src = d.task.node.id;
    const home = d.task.home.id;
    if (to === src || m.dead_nodes.has(to)) return;
    const pid = d.task.pid;
    let fired = false;
    const may_fail_before = may_fail(m, src, to);
    m.faulty = true;
    m.lossy = true; // the migration may fail: a peer seemed gone
    set_comm_tap((_from, _to, msg) => {
      if (fired || msg.pid !== pid || msg.type !== COMMIT_MSGS[this.msg]) return;
      fired = true;
      c.queue.after(this.delay_us * 1e3, () => this.inject(m, r, src, to, home));
    });
    let res: { ok: boolean; errno: number } | null = null;
    const t0 = c.queue.now_ns;
    try {
      if (!start_migration(r, to, may_fail_before, (x) => {
        res = x;
        if (x.ok) m.migrations_ok++;
      })) return check_invariants(m, r);
      for (;;) {
        d.until(() => res !== null || !d.alive || d.task.stop_hook !== null);
        if (res !== null || !d.alive) break;
        d.exec({ kind: 'mark', label: 'boundary' });
      }
      // Let every verdict the fault leads to be reached (the partition limit
      // included: a migration in doubt waits that long), and the partition heal.
      c.run(Math.max(c.queue.now_ns, t0) + Math.max(this.dur_s * 1e9, m.limit_ns) + 15e9);
    } finally {
      set_comm_tap(null);
    }
    if (note_end(m, r)) return;
    const got = res as { ok: boolean; errno: number } | null;
    assert.ok(got, 'a migration whose task lives ended one way or the other');
    assert.is(d.task.node.id, got!.ok ? to : src, `the task is where its migration's outcome says (${got!.ok ? 'done' : `failed ${got!.errno}`})`);
    check_invariants(m, r);
  }
  private inject(m: Model, r: Real, src: number, dest: number, home: number): void {
    const { c } = r;
    const now = c.queue.now_ns;
    const cut = (a: number, b: number): void => {
      if (a === b || m.dead_nodes.has(a) || m.dead_nodes.has(b)) return;
      network_of(c).partition(c.node(a), c.node(b), now, now + this.dur_s * 1e9);
    };
    const crash = (n: number): void => {
      if (m.dead_nodes.has(n)) return;
      m.dead_nodes.add(n);
      c.crash_node(c.node(n));
    };
    if (this.fault === 'cut-src-dest') cut(src, dest);
    else if (this.fault === 'cut-dest-home') cut(dest, home);
    else if (this.fault === 'cut-src-home') cut(src, home);
    else if (this.fault === 'crash-src') crash(src);
    else crash(dest);
  }
  toString = (): string => `commit_window(${this.to}, ${this.msg}+${this.delay_us}us, ${this.fault} ${this.dur_s}s)`;
}

const commit_window = fc
  .tuple(
    fc.nat(3),
    fc.constantFrom<CommitMsg>('MIG_TASK', 'MIG_DONE', 'MIG_GO'),
    fc.integer({ min: 0, max: 3000 }),
    fc.constantFrom<CommitFault>('cut-src-dest', 'cut-dest-home', 'cut-src-home', 'crash-src', 'crash-dest'),
    // shorter than the liveness verdict (3 s), longer, and longer than a destination waits for a silent source (10 s)
    fc.constantFrom(0.5, 2, 5, 12, 25),
  )
  .map(([to, msg, us, f, dur]) => new CommitWindowCmd(to, msg, us, f, dur));

const mmap = fc.integer({ min: 1, max: 12 }).map((n) => new MmapCmd(n));
const write = fc.tuple(fc.nat(3), fc.nat(11), fc.integer({ min: 1, max: 255 })).map(([r, p, v]) => new WriteCmd(r, p, v));
const read = fc.tuple(fc.nat(3), fc.nat(11)).map(([r, p]) => new ReadCmd(r, p));
const abort = fc.record({ side: fc.constantFrom<'src' | 'dest'>('src', 'dest'), step: fc.constantFrom(...MIG_STEPS) });
// One migration in four is aborted at some step.
const migrate = fc
  .tuple(fc.nat(3), fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: abort, weight: 1 }))
  .map(([to, ab]) => new MigrateCmd(to, ab));
// Repeated entries weigh the draw: mostly memory traffic and migrations,
// now and then a fault that may end the sequence early.
/** A window of frame loss on every link: TCP repairs it; the commands in it must not notice but in time. */
class LossCmd implements fc.Command<Model, Real> {
  constructor(readonly share: number) {}
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    m.lossy = true;
    m.faulty = true;
    network_of(r.c).netem_window('loss', this.share, 2e9);
    if (note_end(m, r)) return;
    check_invariants(m, r);
  }
  toString = (): string => `loss(${this.share})`;
}

const commands = [
  fc.integer({ min: 1, max: 20 }).map((pct) => new LossCmd(pct / 100)),
  mmap, mmap, write, write, write, read, read, read, migrate, migrate, migrate,
  fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 255 })).map(([r, v]) => new FillCmd(r, v)),
  fc.nat(3).map((r) => new ReadAllCmd(r)),
  fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 400 }), fc.boolean()).map(([r, nth, us, by]) => new ResetCmd(r, nth, us, by)),
  fc.nat(3).map((r) => new MunmapCmd(r)),
  fc.tuple(fc.nat(3), fc.constantFrom(PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE)).map(([r, p]) => new MprotectCmd(r, p)),
  fc.nat(3).map((n) => new CrashCmd(n)),
  fc.tuple(fc.nat(3), fc.nat(3), fc.constantFrom('short', 'long', 'outlast')).map(([a, b, len]) => new PartitionCmd(a, b, len !== 'short', len === 'outlast')),
  commit_window,
];

function setup(nodes: number, policy: Policy, limit_ns = 0, preempt = false): Real {
  const c = new Cluster({ nodes, mem_B: 16 << 20, seed: 5 });
  om_init(c, make_profile('fast-ethernet'));
  set_partition_limit(c, limit_ns);
  const d = new Driver(c);
  d.limit_ns = 120e9;
  om_task_init(d.task, policy).preempt = preempt;
  let exits = 0;
  c.exit_listeners.push((t) => {
    if (t === d.task) exits++;
  });
  return { c, d, exits: () => exits };
}

/** The end of a sequence: exit, let every note land, and nothing may be left. */
function finish(m: Model, r: Real): void {
  const { c, d } = r;
  let completed = !m.ended && d.alive;
  if (completed) d.exec({ kind: 'sys', nr: 1, args: [0] });
  // Every record settles within the orphan timeout; a queue still busy
  // long after that is a hang.
  c.run(c.queue.now_ns + 120e9);
  // A migrant's exit goes through its deputy, which may have taken it as
  // lost meanwhile (a verdict after a fault): then it is killed at its exit,
  // for a named reason, and the pages it no longer needs are not asked for.
  if (completed && d.task.exit_code !== 0) {
    assert.match(d.exit_reason, NAMED, `killed at its exit without a named reason: '${d.exit_reason}'`);
    assert.ok(m.faulty, `killed at its exit (${d.exit_reason}) though no fault happened`);
    completed = false;
  }
  assert.is(c.queue.peek_ns(), Infinity, 'events still pending 120 s after the end: something never settles');
  for (const n of c.nodes) {
    if (!n.alive) continue;
    assert.is(n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0), 0, `${n.name} leaked frames`);
  }
  assert.ok(r.exits() <= 1, `the task exited ${r.exits()} times`);
  if (m.ended) assert.not.ok(d.alive, `the task ended (${m.ended}) and then ran again`);
  // A migration counts where it completed, and only if its caller was told so.
  if (m.dead_nodes.size === 0) {
    const counted = c.nodes.reduce((a, n) => a + (om_node(n).figures.get(d.task.pid)?.migrations ?? 0), 0);
    assert.is(counted, m.migrations_ok, 'migrations counted by the nodes = migrations reported done');
  }
  if (completed) {
    const v = audit_of(c).verdict(d.task.pid);
    assert.is(v.lost, 0, v.problem);
    assert.is(v.corrupt, 0, v.problem);
  }
}

const env = process.env;
const fuzz_s = Number(env.OMEMU_FUZZ_SECONDS ?? 0);

/** Sequences `make fuzz` found failing, replayed as they were reported (each fixed since). */
const FOUND: [nodes: number, policy: Policy, cmds: fc.Command<Model, Real>[], why: string, limit_ns?: number][] = [
  [
    3, 'vma-ra',
    [new CommitWindowCmd(2, 'MIG_TASK', 655, 'cut-src-dest', 12), new MigrateCmd(2, null), new MigrateCmd(0, { side: 'src', step: 'mig_send_hshake' })],
    "node 2's end of the connection to the home gave up in the partition; its next message opened a new one, which reset the home's half-open end; under the limit 0 the home took the process as lost and let its pages go, and the process was killed at its exit with that reason (the model took an exit as a completion)",
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(1, null), new MigrateCmd(0, null), new PartitionCmd(0, 1, true), new MigrateCmd(1, null)],
    "node 1's end of the migration connection gave up in a 5 s partition while node 0's stayed half open; node 0's next handshake met a reset and the migration failed (-EHOSTUNREACH): allowed after a partition as long as the user timeout",
  ],
  [
    3, 'leap',
    [new LossCmd(0.04), new MigrateCmd(1, null), new MigrateCmd(0, null), new MigrateCmd(1, null), new PartitionCmd(1, 0, false), new CrashCmd(1)],
    "a REM_WHERE of the second migration, retransmitted after a loss, reached the deputy after the third had committed and set it back to home; the crash of the migrant's node then went unnoticed and the deputy never settled",
  ],
  [
    4, 'noprefetch',
    [new LossCmd(0.14), new MigrateCmd(2, null), new MigrateCmd(3, null), new CrashCmd(2)],
    "the source's REM_WHERE of the second migration, slowed by losses, had not reached the deputy when the source crashed; the deputy took the process as lost with it and freed its home pages while it ran on at node 3 (now the destination tells the deputy too)",
  ],
  [
    4, 'ampom',
    [new CrashCmd(1), new LossCmd(0.17), new MigrateCmd(2, null), new MigrateCmd(3, null), new LossCmd(0.19), new MigrateCmd(2, null)],
    'under 17-19% loss the home took the process as lost with a node it had left and freed its home pages while it ran on (now the home tells the migrant, which stops with that reason)',
  ],
  [
    3, 'postcopy',
    [new MigrateCmd(1, null), new MigrateCmd(2, null), new MigrateCmd(0, { side: 'src', step: 'mig_send_hshake' }), new CrashCmd(1), new MigrateCmd(0, null), new MigrateCmd(2, null)],
    'with every holder pushing after a re-migration, the crashed node 1 (still named by a range) was made a pusher at node 0, and the next migration waited forever for it to say it stopped',
  ],
  [
    4, 'precopy',
    [
      new MmapCmd(1), new MmapCmd(3), new MunmapCmd(0), new WriteCmd(0, 5, 1), new PartitionCmd(1, 0, false), new WriteCmd(0, 0, 1), new WriteCmd(0, 10, 1),
      new MigrateCmd(2, null), new MigrateCmd(0, { side: 'src', step: 'mig_send_pages' }), new LossCmd(0.2), new MmapCmd(1), new WriteCmd(1, 0, 1),
      new MigrateCmd(0, null), new LossCmd(0.03), new MigrateCmd(1, null), new PartitionCmd(0, 0, false),
    ],
    "the source took the pre-copy's destination as gone (its connection gave up under loss) and called the migration off without telling it; the destination, still hearing the source, waited for the rest for ever",
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(2, null), new LossCmd(0.06), new MigrateCmd(1, { side: 'src', step: 'mig_send_proc_context' }), new MigrateCmd(0, null), new LossCmd(0.11),
      new MigrateCmd(2, { side: 'dest', step: 'mig_send_pages' }), new MigrateCmd(2, null), new LossCmd(0.2)],
    "the source's MIG_ABORT was lost with a connection that gave up under loss; the destination, still hearing the source's heartbeats, waited for the migration's next message for ever (now it gives a migration up after 10 s without a word from its source)",
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(1, null), new CommitWindowCmd(0, 'MIG_TASK', 1365, 'crash-src', 0.5)],
    'the source (node 1) committed the move home and crashed with MIG_GO on the wire; the home, giving up on node 1, resumed the process and in the same pass its deputy took it as lost with node 1 (now the deputy learns at once that it is back)',
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(1, null), new CommitWindowCmd(0, 'MIG_TASK', 1298, 'cut-src-dest', 25)],
    'the same with a partition instead of a crash: MIG_GO lost, the home gave up on node 1 and its deputy took the process as lost in the pass that resumed it',
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(1, null), new CommitWindowCmd(0, 'MIG_DONE', 100, 'crash-dest', 0.5)],
    'the destination (the home) crashed just after MIG_DONE and its source let the process go: the process was on no node, yet counted as live, and the daemons of the other nodes ticked for ever',
  ],
  [
    3, 'vma-ra',
    [new MigrateCmd(1, null), new CommitWindowCmd(0, 'MIG_TASK', 1037, 'cut-src-dest', 25), new MigrateCmd(1, null), new MigrateCmd(1, { side: 'src', step: 'mig_send_hshake' })],
    "node 1's connection to the home timed out in the partition, the home's stayed half open: the next migration's handshake met a reset, failed, and left node 1 taken as unreachable, so the one after was refused at once (-EHOSTUNREACH), which the property took for an error (now a refusal is allowed after a fault, with the source's verdict standing)",
  ],
  [
    3, 'openmosix',
    [new MigrateCmd(2, { side: 'dest', step: 'mig_send_proc_context' }), new PartitionCmd(2, 0, true), new MigrateCmd(2, null)],
    "node 2's refusal reached node 0 as the partition began, its ACK did not: node 2's end gave up on its user timeout, node 0's stayed half open, and the next migration, 5 s after the partition healed, met a reset and failed (-EHOSTUNREACH), which the property took for an error (now a partition that made an end give up may fail the next migration between its nodes)",
  ],
  [
    3, 'ampom-push',
    [new CommitWindowCmd(2, 'MIG_TASK', 0, 'cut-src-dest', 0.5), new CommitWindowCmd(1, 'MIG_TASK', 0, 'cut-src-home', 25), new MigrateCmd(0, null), new MigrateCmd(1, null)],
    "with a partition limit of 5 s, node 2 (a page holder) gave up its connection to the home in a 25 s partition while the home's end, idle, stayed half open; 15 s after the heal the process came home and its next migration asked node 2 to stop pushing over that end, which met a reset: the request was lost with it, and the migration waited for the answer for ever (now a request lost with a connection goes again once its peer is heard again)",
    5e9,
  ],
  [
    4, 'leap',
    [new MmapCmd(2), new WriteCmd(0, 0, 1), new CommitWindowCmd(3, 'MIG_TASK', 0, 'cut-src-dest', 0.5), new WriteCmd(0, 3, 1), new MigrateCmd(1, null), new PartitionCmd(3, 0, true), new MigrateCmd(0, null)],
    "node 3, holding a page the process wrote, gave up its connection to the home in a 5 s partition; the process came home and exited, and its REM_EXIT to node 3 met the reset of the home's half-open end; node 3's next HOLD_CHECK was answered 'no such process' and it let the page go unchecked, so the audit never saw it again (now the home answers a process that exited with the REM_EXIT the holder missed)",
  ],
  [
    3, 'vma-ra',
    [new MmapCmd(1), new WriteCmd(0, 0, 1), new MmapCmd(2), new CommitWindowCmd(2, 'MIG_TASK', 903, 'cut-src-dest', 25), new FillCmd(1, 1), new MigrateCmd(2, null), new MunmapCmd(0)],
    "under the limit 0 the home took a connection reset by node 2's new one as node 2 lost, and its deputy the process with it, freeing its pages there, as openMosix does; the process ran on at node 2 until the news came, and the model, checking it in between, found a page nowhere (now a process its home took as lost is not checked: it ends once it hears)",
  ],
  [
    4, 'openmosix',
    [new MigrateCmd(3, null), new CommitWindowCmd(0, 'MIG_TASK', 1375, 'cut-src-dest', 25), new MigrateCmd(3, null), new MigrateCmd(1, null), new MigrateCmd(3, null), new CrashCmd(3)],
    "under the limit 0 a migration to node 3 met a reset and the home acted on node 3 as gone; the process reached node 3 through node 1 a moment later, before the home's next look at whom it watches, and node 3 crashed: the home's verdict stood, unheard, so no new one came, and its deputy waited on node 3 for ever, asking every 10 s (now a verdict older than what waits on its peer is taken back, and the silence counts afresh)",
  ],
];

// Every model run checks that nodes share nothing: a node's om records are
// reached only from events acting for that node, or by the model (the host).
test.before(() => set_share_nothing_check(true));
test.after(() => set_share_nothing_check(false));

test('model: the sequences fuzzing found', () => {
  for (const [nodes, policy, cmds, why, limit_ns = 0] of FOUND) {
    const real = setup(nodes, policy, limit_ns);
    const model: Model = { regions: [], bytes: new Map(), ended: null, dead_nodes: new Set(), lossy: false, faulty: false, half_open: new Set(), stale: new Set(), migrations_ok: 0, limit_ns };
    try {
      for (const c of cmds) if (c.check(model)) c.run(model, real);
      finish(model, real);
    } catch (e) {
      throw new Error(`${cmds.map(String).join(', ')} (${why}): ${(e as Error).message}`);
    }
  }
});

test('model: any sequence of memory operations, migrations and faults loses no byte and leaks no frame', () => {
  const prop = fc.property(
    fc.constantFrom(3, 4),
    fc.constantFrom<Policy>(...POLICIES),
    // openMosix's kill at once, and partition limits that faults often outlast or do not
    fc.constantFrom(0, 5e9, 20e9),
    fc.boolean(),
    fc.commands(commands, { maxCommands: 40, size: 'large', ...(env.OMEMU_FUZZ_REPLAY ? { replayPath: env.OMEMU_FUZZ_REPLAY } : {}) }),
    (nodes, policy, limit_ns, preempt, cmds) => {
      const real = setup(nodes, policy, limit_ns, preempt);
      const model: Model = { regions: [], bytes: new Map(), ended: null, dead_nodes: new Set(), lossy: false, faulty: false, half_open: new Set(), stale: new Set(), migrations_ok: 0, limit_ns };
      fc.modelRun(() => ({ model, real }), cmds);
      finish(model, real);
    },
  );
  check(prop, {
    verbose: env.OMEMU_FUZZ_VERBOSE ? 2 : 0,
    includeErrorInReport: true,
    // make test runs 300 sequences from the convention's seed; make fuzz
    // runs sequences for its time budget from a fresh seed it prints.
    numRuns: fuzz_s > 0 ? Number.MAX_SAFE_INTEGER : 300,
    ...(fuzz_s > 0 ? { interruptAfterTimeLimit: fuzz_s * 1000 } : {}),
    ...(env.OMEMU_FUZZ_PATH ? { path: env.OMEMU_FUZZ_PATH } : {}),
  }, fuzz_s > 0 ? `make fuzz FC_SEED=${SEED} FUZZ_PATH=<the path above> FUZZ_REPLAY=<the replayPath above>` : undefined);
});

test.run();
