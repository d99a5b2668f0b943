// UDP-like datagrams: one frame each, no acknowledgement, no retransmission.
// infoD's load updates and acknowledgements travel so (oM_infoD used UDP),
// and so does the cross traffic. A datagram the wire loses is just missing.
import type { Node } from '../kernel/node.ts';
import { FRAME_UDP, IP_UDP_HEADERS_B, MTU_B, type Frame } from './wire.ts';

/** What a bound port does with a datagram that arrived. */
export type UdpHandler = (from: Node, data: Uint8Array | null, len_B: number) => void;

/** The largest datagram payload that fits one frame. */
export const UDP_MAX_PAYLOAD_B = MTU_B - IP_UDP_HEADERS_B;

/** Ports of the datagram services (oM_infoD's, and a discard port for background traffic). */
export const INFOD_PORT = 723;
export const DISCARD_PORT = 9;

export function udp_frame(from: Node, to: Node, port: number, data: Uint8Array | null, len_B: number): Frame {
  if (len_B > UDP_MAX_PAYLOAD_B) throw new Error(`a datagram of ${len_B} B does not fit one frame (at most ${UDP_MAX_PAYLOAD_B} B)`);
  return { kind: FRAME_UDP, src: from, dst: to, ip_B: IP_UDP_HEADERS_B + len_B, len_B, conn: null, seq: 0, ack: 0, tsval: 0, tsecr: -1, rst: false, prio: 0, delay_ns: 0, port, data };
}
