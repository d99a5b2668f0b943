// comm_send / comm_recv: protocol messages over the emulated network. A
// message is encoded to bytes when sent and decoded when it arrives.
import createDebug from 'debug';
import type { Node } from '../kernel/node.ts';
import { network_of } from '../net/link.ts';
import { decode, encode, MSG_NAMES, type Msg } from './proto.ts';
import type { OmTask } from './state.ts';

const dbg = createDebug('om:comm');

/**
 * Send msg from one node to another no earlier than at_ns; on arrival the
 * bytes are decoded and handed to recv. Returns the arrival time.
 */
export function comm_send(from: Node, to: Node, msg: Msg, at_ns: number, recv: (m: Msg) => void, acct?: OmTask): number {
  const bytes = encode(msg);
  if (acct) acct.stats.bytes_transferred += bytes.length;
  const { arrive_ns } = network_of(from.cluster).send(from, to, bytes.length, at_ns, () => recv(comm_recv(bytes)));
  dbg('%s -> %s %s (%d B) arrives %d', from.name, to.name, MSG_NAMES[msg.type], bytes.length, arrive_ns);
  return arrive_ns;
}

/** Decode what arrived. A malformed message is a protocol bug here, so it throws. */
export function comm_recv(bytes: Uint8Array): Msg {
  return decode(bytes);
}
