// Frames and what they cost on an Ethernet wire.
//
// A frame is one IP packet: a TCP segment or a UDP datagram. On the line it
// also takes the Ethernet header (14), its FCS (4), the preamble (8) and the
// inter-frame gap (12), and is padded to Ethernet's 64-byte minimum. The
// NIC counters and tbf count what Linux's skb->len is on eth0: the IP
// packet plus the 14-byte Ethernet header.
import type { Node } from '../kernel/node.ts';
import type { TcpConn } from './tcp.ts';

/** Ethernet MTU and the TCP/IP headers in it (no options: 20 + 20). */
export const MTU_B = 1500;
export const IP_TCP_HEADERS_B = 40;
export const IP_UDP_HEADERS_B = 28;
export const MSS_B = MTU_B - IP_TCP_HEADERS_B;
/** Ethernet header 14 + FCS 4 + preamble 8 + inter-frame gap 12. */
export const ETH_WIRE_OVERHEAD_B = 38;
/** What ifconfig and tbf count per frame besides the IP packet: the Ethernet header. */
export const ETH_HLEN_B = 14;
/** The smallest IP packet a frame carries without padding (64-byte minimum frame less header and FCS). */
const ETH_MIN_PAYLOAD_B = 46;

export const FRAME_TCP = 1;
export const FRAME_UDP = 2;

export interface Frame {
  kind: typeof FRAME_TCP | typeof FRAME_UDP;
  src: Node;
  dst: Node;
  /** IP packet length: headers plus payload. */
  ip_B: number;
  /** TCP: payload bytes, the connection, sequence number and the cumulative ACK it carries. */
  len_B: number;
  conn: TcpConn | null;
  seq: number;
  ack: number;
  /**
   * TCP timestamps (RFC 1323; 2.4 negotiates them by default): when the
   * segment left, and the peer's TSval it echoes (-1: none), in ns rather
   * than jiffies. Their 12 option bytes are not counted (see net/tcp.ts).
   */
  tsval: number;
  tsecr: number;
  /** A reset (RST): the sender has no (more) connection for it. */
  rst: boolean;
  /**
   * The sending socket's priority (2.4's skb->priority, from SO_PRIORITY):
   * the qdisc's band (net/qdisc.ts). 0: best effort.
   */
  prio: number;
  /** netem's delay after the line, ns: set as the frame goes on the line (net/link.ts on_line). */
  delay_ns: number;
  /** UDP: destination port and the datagram's bytes. */
  port: number;
  data: Uint8Array | null;
}

/** Bytes of the line a frame occupies. */
export const frame_wire_B = (ip_B: number): number => Math.max(ip_B, ETH_MIN_PAYLOAD_B) + ETH_WIRE_OVERHEAD_B;
/** Bytes the NIC counters (and tbf) count for a frame. */
export const frame_counted_B = (ip_B: number): number => ip_B + ETH_HLEN_B;

/** Full-sized segments a payload takes. */
export const frames_for = (payload_B: number): number => Math.max(1, Math.ceil(payload_B / MSS_B));
/**
 * Bytes of line a payload sent in full segments occupies, headers and gaps
 * included (what moving a page costs; ACKs not counted).
 */
export const wire_bytes = (payload_B: number): number => payload_B + frames_for(payload_B) * (IP_TCP_HEADERS_B + ETH_WIRE_OVERHEAD_B);

/** Time a frame of `ip_B` takes on a line of `bps`, whole ns. */
export const ser_ns = (ip_B: number, bps: number): number => Math.ceil((frame_wire_B(ip_B) * 8e9) / bps);
