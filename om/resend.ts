// Messages lost with a connection that closed early, sent again once the
// peer is heard again. With a partition limit, om's connections outlast a
// partition (om/pause.ts), but one end can still close before its owner
// takes the peer as gone: the peer's end gave up (its own data went
// unacknowledged for the whole user timeout) while this end, with nothing
// to send, stayed half open; this end learns it only from the RST its next
// message meets, or from the new connection the peer opens, which resets
// it; and a node that gives up on a peer resets its connections to it
// (net.reset). What an end had queued is lost with it (tcp_done). A process
// waiting for the answer to a lost request (a page, a system call, a
// push's stop) would wait for ever, and so would the asker of a lost
// answer; and a holder's page lives only in the message that carried it.
// Each goes again when the peer is heard again, if what it was for still
// stands, and the receiver takes only what it still waits for. A message
// is handed up once: one that arrived though its ACK was lost is not sent
// again, and one still on the wire when its connection gave up is either
// handed up on arrival, before it would go again, or not at all (LostMsg,
// as a session layer that numbers its messages would).
// Other messages are notes another path repeats (HOLD_CHECK asks again for
// a lost REM_EXIT or REM_WHERE) or a migration's, which its own verdicts
// settle (om/migrate.ts, om/mig_receive.ts).
import type { Node } from '../kernel/node.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { comm_send, type LostMsg } from './comm.ts';
import { decode, DEP_PAGES, DEP_PUSH_STOPPED, DEP_SYSCALL, OMP_DEMAND, REM_PAGE, REM_PUSH_STOP, REM_SYSCALL, type Msg } from './proto.ts';
import { holder_of } from './remote.ts';
import { om_node } from './state.ts';

/** A message lost with a connection, and to whom. */
interface Lost {
  peer: number;
  m: LostMsg;
}

/** The messages this node may have to send again, in the order they were lost. */
const KEY = 'om_lost';
const lost_of = (node: Node): Lost[] => node.attach(KEY, () => [] as Lost[]);
/** The list if this node ever lost a message (most never do: no list is made to read it). */
const lost_if_any = (node: Node): Lost[] | undefined => node.ext.get(KEY) as Lost[] | undefined;

/** A crash takes the node's kept messages with it, as its other records. */
export function forget_lost(node: Node): void {
  node.ext.delete(KEY);
}

const AGAIN: ReadonlySet<number> = new Set([REM_PAGE, REM_PUSH_STOP, REM_SYSCALL, DEP_PAGES, DEP_PUSH_STOPPED, DEP_SYSCALL]);

/** A message of this node's failed with its connection: kept if it may be needed again. */
export function note_lost(node: Node, peer: number, m: LostMsg): void {
  if (AGAIN.has(m.msg.type)) lost_of(node).push({ peer, m });
}

/**
 * `peer` has been unreachable far longer than the partition limit (a
 * crash, most likely): whatever was kept for it goes, as pages held for a
 * silent home do (om/liveness.ts), so it is no longer watched for them.
 * Nothing there can still wait for them: a node that waits on this one
 * watches it too, and gave up on it (the limit) well before.
 */
export function forget_lost_to(node: Node, peer: number): void {
  // Should a first copy still arrive, it is not handed up: its sender gave it up.
  for (const l of take_lost_to(node, peer)) l.m.drop();
}

/** The messages kept for `peer`, in order, taken out of the node's list (the others stay, in order). */
function take_lost_to(node: Node, peer: number): Lost[] {
  const all = lost_if_any(node);
  if (!all || !all.some((l) => l.peer === peer)) return [];
  const taken: Lost[] = [];
  let w = 0;
  for (const l of all) {
    if (l.peer === peer) taken.push(l);
    else all[w++] = l;
  }
  all.length = w;
  return taken;
}

/**
 * The peers this node owes messages lost on the way to them: it watches
 * them (om/liveness.ts) even with no other business, to hear them again.
 */
export function owed_peers(node: Node, into: Set<number>): void {
  const all = lost_if_any(node);
  if (all) for (const l of all) into.add(l.peer);
}

/** `peer` was heard again: what was lost on the way to it and still stands goes again, in order. */
export function send_lost_again(node: Node, peer: number): void {
  // Taken out first: what fails again while they go is kept anew, not sent in this pass.
  const again = take_lost_to(node, peer);
  if (again.length === 0) return;
  const now = node.cluster.queue.now_ns;
  const to = node.cluster.node(peer);
  for (const l of again) {
    // It arrived after all (it was on the wire when its connection gave up).
    if (l.m.delivered) continue;
    // From now on this copy or none: the first, should it still arrive, is not handed up.
    l.m.drop();
    const m = still_wanted(node, peer, l.m.bytes ? decode(l.m.bytes) : l.m.msg);
    if (!m) continue;
    // A request no longer for a faulting page goes on the usual connection.
    const conn = m.type === REM_PAGE && !(m.flags !== undefined && m.flags & OMP_DEMAND) ? 'om' : l.m.conn;
    // A page's bytes may live only in the message: made again now, as when it first went.
    comm_send(node, to, m, now, { conn, encode_now: m.type === DEP_PAGES });
  }
}

/** What of a lost message is still waited for (or must not be lost), or null. */
function still_wanted(node: Node, peer: number, m: Msg): Msg | null {
  const here = om_node(node);
  const st = here.migrants.get(m.pid);
  const mm = st?.task.alive ? (st.task.mm as MmStruct | null) : null;
  switch (m.type) {
    case REM_PAGE: {
      // The pages still on their way from that holder by its table.
      if (!st || !mm) return null;
      const vpns = m.vpns.filter((v) => (st.inflight.has(v) || st.demand_out.get(v) === peer) && holder_of(mm, v) === peer);
      if (vpns.length === 0) return null;
      return m.flags !== undefined && m.flags & OMP_DEMAND && vpns[0] === m.vpns[0] ? { ...m, vpns } : { type: REM_PAGE, pid: m.pid, vpns };
    }
    case REM_PUSH_STOP:
      return st?.push_stopping.has(peer) ? m : null;
    case REM_SYSCALL:
      return st?.pending_call && st.waiting_on === peer ? m : null;
    case DEP_SYSCALL:
      return here.deputies.get(m.pid)?.where === peer ? m : null;
    default:
      // DEP_PAGES (its pages are nowhere else) and DEP_PUSH_STOPPED: the receiver takes them only if it waits for them.
      return m;
  }
}
