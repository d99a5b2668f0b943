// Loading openMosix into a cluster: the network and infoD, the hooks into the
// kernel and mm, the migration costs, the writable /proc/PID/where, and the
// one entry point through which every om message reaches its node.
import type { Cluster } from '../kernel/cluster.ts';
import { EINVAL } from '../kernel/errno.ts';
import type { Node } from '../kernel/node.ts';
import { attach_network, network_of } from '../net/link.ts';
import { start_infod } from '../net/infod.ts';
import type { NetProfile } from '../net/profiles.ts';
import { TC_PRIO_INTERACTIVE } from '../net/qdisc.ts';
import { set_conn_fail_handler, set_om_receiver } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { deputy_main_loop } from './deputy.ts';
import { forget_lost } from './resend.ts';
import { audit_of } from './audit.ts';
import { own_page } from './pages.ts';
import { connection_failed, hold_answer, hold_check, peer_heard, start_liveness } from './liveness.ts';
import { mig_do_receive } from './mig_receive.ts';
import { mig_commit, mig_hshake_acked, mig_refused, request_migration } from './migrate.ts';
import {
  DEP_PAGES, DEP_PUSH_STOPPED, DEP_SYSCALL, HOLD_ANSWER, HOLD_CHECK, MIG_ABORT, MIG_DONE, MIG_DROPPED, MIG_HSHAKE_ACK, REM_EXIT, REM_PAGE, REM_PUSH_START,
  REM_PUSH_STOP, REM_SYSCALL, REM_UNMAP, REM_WHERE, type Msg,
} from './proto.ts';
import { count_wasted, local_fault, pages_arrived, push_stopped, remote_page_fault } from './remote.ts';
import { remote_exit, remote_munmap } from './remote_exit.ts';
import { remote_do_syscall, syscall_reply } from './remote_syscall.ts';
import { set_local_fault_hook, set_remote_page_hook } from '../mm/fault.ts';
import { set_munmap_hook } from '../mm/mmap.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { om_node, om_task, om_task_init, type Policy } from './state.ts';
import '../mm/ampom.ts'; // each registers its prefetcher
import '../mm/linux_ra.ts';
import '../mm/vma_ra.ts';
import '../mm/leap.ts';
import '../mm/fastswap.ts';
import '../mm/canvas.ts';
import '../mm/hermit.ts';
import '../mm/aifm.ts';
import '../mm/oracle.ts';

/** Every om message arrives here, at the node it was sent to. */
function om_receive(node: Node, from: Node, m: Msg, attach: unknown): void {
  peer_heard(node, from.id);
  switch (m.type) {
    case REM_PAGE: case REM_SYSCALL: case REM_UNMAP: case REM_WHERE: case REM_EXIT: case MIG_DROPPED:
      return deputy_main_loop(node, from, m);
    case DEP_PAGES:
      return pages_arrived(node, from, m);
    case DEP_PUSH_STOPPED:
      return push_stopped(node, from, m);
    case HOLD_CHECK:
      return hold_check(node, from, m.pid);
    case HOLD_ANSWER:
      return hold_answer(node, from, m.pid, m.alive);
    case REM_PUSH_START: case REM_PUSH_STOP:
      return deputy_main_loop(node, from, m);
    case DEP_SYSCALL:
      return syscall_reply(node, m);
    case MIG_HSHAKE_ACK:
      return mig_hshake_acked(node, from, m.pid);
    case MIG_DONE:
      return mig_commit(node, from, m.pid);
    case MIG_ABORT:
      // Either end may abort: the source resumes, the destination drops.
      if (om_node(node).outgoing.has(m.pid)) return mig_refused(node, from, m.pid, m.errno);
      return mig_do_receive(node, from, m, attach);
    default:
      return mig_do_receive(node, from, m, attach);
  }
}

/** The pages node n holds for each process, as the audit hears of them at n's crash (om/audit.ts node_crashed). */
function held_pages(n: Node): Map<number, number[]> {
  const held = new Map<number, number[]>();
  for (const h of om_node(n).holders.values()) {
    const vpns: number[] = [];
    h.hpt.for_each_pte(0, 1 << 20, (vpn) => {
      if (own_page(h.hpt, vpn) >= 0) vpns.push(vpn);
    });
    held.set(h.pid, vpns);
  }
  return held;
}

/**
 * Whether this node still keeps records of a process (a migration half
 * done, pages held for a process that is gone): until they are settled,
 * its infoD and liveness watch keep running even with no task left.
 */
function om_unsettled(n: Node): boolean {
  const o = n.ext.get('om') as ReturnType<typeof om_node> | undefined;
  return !!o && (o.migrants.size > 0 || o.deputies.size > 0 || o.holders.size > 0 || o.incoming.size > 0 || o.outgoing.size > 0);
}

/** om's hooks into the kernel and mm, the way openMosix hooks into the Linux core. */
function install_remote_hooks(cluster: Cluster): void {
  set_remote_page_hook(remote_page_fault);
  set_local_fault_hook(local_fault);
  set_munmap_hook(remote_munmap);
  cluster.syscall_redirect = remote_do_syscall;
  cluster.exit_mm_listeners.push((task) => {
    const st = om_task(task);
    if (st && task.mm) count_wasted(st, task.mm as MmStruct);
  });
  cluster.exit_listeners.push(remote_exit);
}

/** Reasons to keep infoD and the watch running with no task alive (a workload with jobs still to come). */
const holds = (cluster: Cluster): (() => boolean)[] => {
  let h = cluster.ext.get('om_holds') as (() => boolean)[] | undefined;
  if (!h) cluster.ext.set('om_holds', (h = []));
  return h;
};
const om_held = (cluster: Cluster): boolean => holds(cluster).some((f) => f());

/** Keep infoD and the liveness watch running while `pred` holds, even with no task alive. */
export function om_keep_alive(cluster: Cluster, pred: () => boolean): void {
  holds(cluster).push(pred);
}

export function om_init(cluster: Cluster, profile: NetProfile): void {
  if (cluster.ext.has('om')) return;
  cluster.ext.set('om', true);
  const net = attach_network(cluster, profile);
  net.set_priority('demand', TC_PRIO_INTERACTIVE);
  // A node's daemons (infoD, the liveness watch) run while the experiment
  // does (a process lives somewhere, or the workload holds them: the host
  // powering the cluster down at the end) or while the node itself still
  // has records to settle (after a crash, until it gives up on the dead).
  const running = (): boolean => cluster.live_tasks > 0 || om_held(cluster);
  const active = (n: Node): boolean => running() || om_unsettled(n);
  start_infod(cluster, active);
  net.start_cross_traffic(profile.cross_traffic, () => cluster.nodes.some((n) => n.alive && active(n)));
  for (const n of cluster.nodes) register_om_costs(n.cpu);
  install_remote_hooks(cluster);
  set_om_receiver(om_receive);
  set_conn_fail_handler(connection_failed);
  // A node waiting for an answer has nothing unacknowledged: it hears that
  // its end of a connection closed (the peer's end gave up, a reset) this way.
  net.on_error = (n, p, _purpose, why) => connection_failed(n, p, why);
  start_liveness(cluster, active);
  // A crash takes the node's om records and its queues with it, nothing else.
  // The host's audit hears which pages went with it (held there, or on the
  // wire from it), to name the crash if the process never needs them again.
  cluster.crash_listeners.push((n) => {
    audit_of(cluster).node_crashed(n.id, cluster.queue.acting_as(null, () => held_pages(n))); // the host looks, not a node
    n.ext.delete('om');
    forget_lost(n);
    network_of(cluster).crash(n);
  });
  // openMosix's migrate tool writes a node number (or "home") here.
  cluster.procfs.register('/proc/PID/where', {
    read: ({ task }) => (task!.node === task!.home ? 'home' : String(task!.node.id)) + '\n',
    write: ({ task }, data) => {
      const v = data.trim();
      const dest = v === 'home' ? task!.home.id : /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(dest) || dest < 0 || dest >= cluster.nodes.length) return -EINVAL;
      return request_migration(task!, cluster.node(dest));
    },
  });
}

export { request_migration, om_task_init, type Policy };
