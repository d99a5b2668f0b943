// UDP-like datagrams: one frame each, no acknowledgement, no retransmission.
// infoD's load updates and acknowledgements travel so (oM_infoD used UDP),
// and so does the cross traffic. A datagram the wire loses is just missing.
import { struct, u8, u16, u32 } from '@solana/buffer-layout';
import type { Node } from '../kernel/node.ts';
import { get_u16, get_u32, put_u16, put_u32 } from './le.ts';
import { FRAME_UDP, IP_UDP_HEADERS_B, MTU_B, type Frame } from './wire.ts';

/** What a bound port does with a datagram that arrived. */
export type UdpHandler = (from: Node, data: Uint8Array | null, len_B: number) => void;

/** The largest datagram payload that fits one frame. */
export const UDP_MAX_PAYLOAD_B = MTU_B - IP_UDP_HEADERS_B;

/** Ports of the datagram services (oM_infoD's, and a discard port for background traffic). */
export const INFOD_PORT = 723;
export const DISCARD_PORT = 9;

interface NoteMsg { type: number; version: number; node: number; seq: number }
/**
 * A note: the 8-byte datagram of a type, a version, the sender and a
 * sequence number (infoD's acknowledgements, om's liveness pings). Written
 * and read byte by byte at NOTE's offsets (net/le.ts); NOTE stays the one
 * description of the format (a test holds the two equal).
 */
const NOTE = struct<NoteMsg>([u8('type'), u8('version'), u16('node'), u32('seq')]);
export const NOTE_B = NOTE.span;
const N = { type: NOTE.offsetOf('type')!, version: NOTE.offsetOf('version')!, node: NOTE.offsetOf('node')!, seq: NOTE.offsetOf('seq')! };

export function encode_note(type: number, version: number, node: number, seq: number): Uint8Array {
  const b = new Uint8Array(NOTE_B);
  b[N.type] = type;
  b[N.version] = version;
  put_u16(b, N.node, node);
  put_u32(b, N.seq, seq);
  return b;
}

/** Whether b is a note's size (read byte by byte, a short one would give zeros rather than NOTE.decode's error). */
export const is_note = (b: Uint8Array): boolean => b.length === NOTE_B;

export const note_type = (b: Uint8Array): number => b[N.type]!;
export const note_version = (b: Uint8Array): number => b[N.version]!;
export const note_node = (b: Uint8Array): number => get_u16(b, N.node);
export const note_seq = (b: Uint8Array): number => get_u32(b, N.seq);

/** A note as NOTE decodes it, the slow way (tests compare the fast one with it). */
export const decode_note_layout = (b: Uint8Array): NoteMsg => NOTE.decode(b);

export function udp_frame(from: Node, to: Node, port: number, data: Uint8Array | null, len_B: number): Frame {
  if (len_B > UDP_MAX_PAYLOAD_B) throw new Error(`a datagram of ${len_B} B does not fit one frame (at most ${UDP_MAX_PAYLOAD_B} B)`);
  return { kind: FRAME_UDP, src: from, dst: to, ip_B: IP_UDP_HEADERS_B + len_B, len_B, conn: null, seq: 0, ack: 0, tsval: 0, tsecr: -1, rst: false, prio: 0, delay_ns: 0, port, data };
}
