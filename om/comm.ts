// comm_send / comm_recv: protocol messages over the emulated network. A
// message is encoded to bytes when sent and decoded when it arrives, and the
// receiving node's om looks the process up in its own records by the pid in
// the header: nothing but the bytes crosses.
import { kdebug } from '../kernel/klog.ts';
import type { Node } from '../kernel/node.ts';
import { network_of } from '../net/link.ts';
import { decode, encode, message_B, MSG_NAMES, only_shared_zeros, release_message, REM_PAGE, type Msg } from './proto.ts';
import { figures_of } from './state.ts';

const dbg = kdebug('om:comm');

/**
 * The connections om uses between two nodes: one for migrations (the bulk
 * of a freeze) and one for everything else (page requests and replies,
 * remote system calls, exit and location notes), as openMosix keeps the
 * migration socket apart from the deputy's; and, for a process whose
 * scheme preempts (--preempt), a third for its demand faults alone: the
 * request for a faulting page and the reply that carries it. That one's
 * socket has TC_PRIO_INTERACTIVE (om_init), so its frames take pfifo_fast's
 * top band and overtake a push or a prefetch in every queue; it must be a
 * connection of its own, since within one TCP stream nothing overtakes
 * (QEMU's postcopy-preempt channel is one for the same reason).
 */
export type Conn = 'mig' | 'om' | 'demand';

export interface CommOpts {
  conn?: Conn;
  /**
   * The one thing that crosses without being bytes: the process's program
   * (a JS generator, its user-mode state), which rides with MIG_TASK.
   */
  attach?: unknown;
  /**
   * Make the bytes now, not on delivery: for pages the sender frees as soon
   * as they are sent (a page holder's), whose bytes then live only in the
   * message, as in an skb. A page message whose pages are all known to
   * hold zeros (they carry the shared ZERO_PAGE_DATA, not a view of their
   * frames) is made on delivery all the same: a holder that answers a
   * burst of requests would otherwise keep a copy of every page queued
   * behind the wire (the oracle's 575 MiB runs: as much again as the
   * process, in host memory).
   */
  encode_now?: boolean;
}

/** What a node does with a message that arrived for it. */
export type OmReceiver = (node: Node, from: Node, m: Msg, attach: unknown) => void;
let receiver: OmReceiver | null = null;

export function set_om_receiver(r: OmReceiver): void {
  receiver = r;
}

/**
 * A message whose connection gave up before the peer acknowledged it:
 * what it was, its bytes if they were made as it was sent, and its
 * connection. It may still arrive (frames already on the wire reach an end
 * that has not heard of the reset yet): `delivered` says so. Once its
 * sender sends it again, or gives it up, `drop` keeps the first copy from
 * being handed up if it arrives after all, as a session layer numbering
 * its messages would (om/resend.ts; the emulation does not count such a
 * layer's bytes).
 */
export interface LostMsg {
  readonly msg: Msg;
  readonly bytes: Uint8Array | null;
  readonly conn: Conn;
  readonly delivered: boolean;
  drop(): void;
}

/** What a node does when a connection to a peer gives up, once for each message lost with it (om/liveness.ts). */
let on_conn_fail: ((node: Node, peer: Node, why: string, lost?: LostMsg) => void) | null = null;
export function set_conn_fail_handler(h: typeof on_conn_fail): void {
  on_conn_fail = h;
}

/** Tests watch the messages that are sent (never used by the emulation itself). */
let tap: ((from: Node, to: Node, m: Msg) => void) | null = null;
export function set_comm_tap(t: typeof tap): void {
  tap = t;
}

/**
 * One message on its way: delivered where it arrives, or, if its
 * connection gives up first, told to om as lost with it (LostMsg). One
 * that arrived but whose ACK was lost both arrives and fails (as in any
 * TCP); it is not told as lost: its receiver has it (and its pooled bytes
 * may carry another message by then: proto.ts release_message).
 */
class InFlight implements LostMsg {
  delivered = false;
  private dropped = false;
  constructor(
    readonly from: Node,
    readonly to: Node,
    readonly msg: Msg,
    readonly bytes: Uint8Array | null,
    readonly conn: Conn,
    readonly attach: unknown,
  ) {}
  deliver = (): void => {
    if (!this.to.alive || this.dropped) return;
    this.delivered = true;
    const b = this.bytes ?? encode(this.msg);
    receiver?.(this.to, this.from, comm_recv(b), this.attach);
    // Handled: a page message's buffer may carry another (proto.ts release_message).
    release_message(b);
  };
  fail = (why: string): void => {
    on_conn_fail?.(this.from, this.to, why, this.delivered ? undefined : this);
  };
  drop(): void {
    this.dropped = true;
  }
}

/**
 * Send msg from one node to another, handed to the connection at at_ns.
 * Its bytes are made as it reaches the wire's far end (encode, then
 * decode), unless `encode_now`: nothing the sender hands over changes
 * before then (pages of a frozen process), and the network carries only
 * their count meanwhile, not a second copy of every page in flight.
 */
export function comm_send(from: Node, to: Node, msg: Msg, at_ns: number, opts: CommOpts = {}): void {
  const size_B = message_B(msg);
  figures_of(from, msg.pid).bytes_transferred += size_B;
  tap?.(from, to, msg);
  const bytes = opts.encode_now && !only_shared_zeros(msg) ? encode(msg) : null;
  const conn = opts.conn ?? 'om';
  const m = new InFlight(from, to, msg, bytes, conn, opts.attach);
  network_of(from.cluster).send(from, to, size_B, at_ns, m.deliver, { conn, on_fail: m.fail, cpu_free: CPU_FREE.has(msg.type) });
  dbg(from, '-> %s %s pid %d (%d B) at %d', to.name, MSG_NAMES[msg.type], msg.pid, size_B, at_ns);
}

/**
 * Messages whose handling where they arrive touches none of that node's
 * tasks nor its CPU: a page request at a holder (deputy_main_loop: the
 * holder's copy of the pages, its kernel clock, its memory, the network).
 * Their delivery leaves a CPU that computes lazily where it is
 * (EventQueue.settle_cpu); the obvious version settles it before every
 * delivery, and the lookahead property holds the two equal.
 */
const CPU_FREE: ReadonlySet<number> = new Set([REM_PAGE]);

/** Decode what arrived. Our own encoder made it, so a malformed message is a bug: it throws. */
export function comm_recv(bytes: Uint8Array): Msg {
  return decode(bytes);
}
