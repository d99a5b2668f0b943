// ompt v1, omemu's page-trace format (see the README):
//
//   # ompt v1 page=4096 key=value ...   header (first line)
//   pre R|W|X <vpn-hex>                  a page resident at home before migration
//   migrate <icount>                     the migration point, in instructions
//   <icount> R|W|X <vpn-hex>             a reference after migration
//   step <icount>                        an operation of the program ends (optional)
//   mark <icount> <label>                the program passes a mark (optional)
//
// Plain text or gzip. The reader loads a whole trace into typed arrays (12
// bytes a reference) and reports a bad line as file:line: what was expected.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { REF_R, REF_W, REF_X } from '../../kernel/op.ts';
import { gzip_header } from './gzip_header.ts';

export const OMPT_MAGIC = '# ompt v1';
const KIND: Record<string, number> = { R: REF_R, W: REF_W, X: REF_X };
export const KIND_CHAR = ['R', 'W', 'X'];

export class OmptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    msg: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${msg}` : `${file}: ${msg}`);
  }
}

export interface Trace {
  file: string;
  header: Record<string, string>;
  page_B: number;
  firsttouch: boolean;
  /** Pages resident at home before migration, with their kinds. */
  pre_vpn: number[];
  pre_kind: number[];
  migrate_icount: number;
  /** References after migration. */
  n: number;
  icount: Float64Array;
  vpn: Float64Array;
  kind: Uint8Array;
  /**
   * Where the program's operations end and the marks it passes, after
   * migration, in order (a trace of one of omemu's own programs has them;
   * a lackey trace has none).
   */
  breaks: TraceBreak[];
  /** Comment lines after the header. */
  comments: number;
}

/**
 * A `step` line (label null): the program's operation ends at `icount`,
 * the instructions since its last reference being the operation's own
 * work; a migration asked for meanwhile happens here. A `mark` line: the
 * program passes mark `label` (setup_done, timed_done) there.
 */
export interface TraceBreak {
  label: string | null;
  /** References before it. */
  index: number;
  icount: number;
}

/** The bytes of a trace file ('-' for stdin), gunzipped when they are gzip. */
export function read_trace_text(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new OmptError(file, 0, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const gz = gzip_header(raw);
  if (gz) {
    if (gz.cm !== 8) throw new OmptError(file, 0, gz.cm < 0 ? 'truncated gzip data (the header is cut short)' : `gzip compression method ${gz.cm} is not deflate (8): not a gzip file omemu can read`);
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new OmptError(file, 0, `truncated or corrupt gzip data (${(e as Error).message})`);
    }
  }
  return raw;
}

const HEX = /^[0-9a-fA-F]{1,13}$/;
const DEC = /^[0-9]{1,16}$/;

function parse_vpn(file: string, ln: number, s: string | undefined): number {
  if (s === undefined || !HEX.test(s)) throw new OmptError(file, ln, `expected a page number in hex, got '${s ?? ''}'`);
  return parseInt(s, 16);
}

function parse_kind(file: string, ln: number, s: string | undefined): number {
  const k = s === undefined ? undefined : KIND[s];
  if (k === undefined) throw new OmptError(file, ln, `expected a reference kind R, W or X, got '${s ?? ''}'`);
  return k;
}

/** Parse a whole trace. */
export function parse_ompt(input: string | Uint8Array, file = '<trace>'): Trace {
  const text = typeof input === 'string' ? Buffer.from(input, 'latin1') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const len = text.length;
  let pos = 0;
  let ln = 0;
  const next_line = (): string | null => {
    if (pos >= len) return null;
    let e = text.indexOf(10, pos);
    if (e < 0) e = len;
    let line = text.toString('latin1', pos, e);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    pos = e + 1;
    ln++;
    return line;
  };
  const first = next_line();
  if (first === null || !first.startsWith(OMPT_MAGIC)) {
    throw new OmptError(file, 1, `expected the header '${OMPT_MAGIC} page=4096 ...', got '${(first ?? '').slice(0, 60)}'`);
  }
  const header: Record<string, string> = {};
  for (const kv of first.slice(OMPT_MAGIC.length).trim().split(/\s+/).filter(Boolean)) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new OmptError(file, 1, `expected key=value in the header, got '${kv}'`);
    header[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const page_B = Number(header.page);
  if (!header.page) throw new OmptError(file, 1, 'the header must give page=4096');
  if (page_B !== 4096) throw new OmptError(file, 1, `only page=4096 is supported, got page=${header.page}`);

  const pre_vpn: number[] = [];
  const pre_kind: number[] = [];
  let migrate_icount = -1;
  let cap = 1 << 16;
  let icount = new Float64Array(cap);
  let vpn = new Float64Array(cap);
  let kind = new Uint8Array(cap);
  let n = 0;
  let comments = 0;
  let last_ic = -1;
  const breaks: TraceBreak[] = [];
  const grow = (): void => {
    cap *= 2;
    const a = new Float64Array(cap);
    a.set(icount);
    icount = a;
    const b = new Float64Array(cap);
    b.set(vpn);
    vpn = b;
    const c = new Uint8Array(cap);
    c.set(kind);
    kind = c;
  };
  while (pos < len) {
    // Fast path: "<dec> <R|W|X> <hex>\n" after the migrate line, parsed in place.
    if (migrate_icount >= 0) {
      let i = pos;
      let ic = 0;
      let c = i < len ? text[i]! : -1;
      const d0 = i;
      while (c >= 48 && c <= 57) {
        ic = ic * 10 + (c - 48);
        c = ++i < len ? text[i]! : -1;
      }
      if (i > d0 && i - d0 <= 16 && c === 32) {
        const k = i + 1 < len ? text[i + 1]! : -1;
        const kk = k === 82 ? REF_R : k === 87 ? REF_W : k === 88 ? REF_X : -1;
        if (kk >= 0 && i + 2 < len && text[i + 2] === 32) {
          i += 3;
          const h0 = i;
          let v = 0;
          for (;;) {
            c = i < len ? text[i]! : -1;
            const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
            if (d < 0) break;
            v = v * 16 + d;
            i++;
          }
          if (i > h0 && i - h0 <= 13 && (c === 10 || c === -1 || (c === 13 && text[i + 1] === 10))) {
            ln++;
            if (ic < last_ic) throw new OmptError(file, ln, `instruction count ${ic} goes back (the previous was ${last_ic}): expected a non-decreasing count`);
            last_ic = ic;
            if (n === cap) grow();
            icount[n] = ic;
            kind[n] = kk;
            vpn[n] = v;
            n++;
            pos = i + (c === 13 ? 2 : 1);
            continue;
          }
        }
      }
    }
    const line = next_line()!;
    if (line === '') continue;
    if (line[0] === '#') {
      comments++;
      continue;
    }
    const f = line.split(' ');
    if (f[0] === 'pre') {
      if (migrate_icount >= 0) throw new OmptError(file, ln, "expected a reference '<icount> R|W|X <vpn>': 'pre' lines must come before 'migrate'");
      if (f.length !== 3) throw new OmptError(file, ln, `expected 'pre R|W|X <vpn-hex>', got '${line}'`);
      pre_kind.push(parse_kind(file, ln, f[1]));
      pre_vpn.push(parse_vpn(file, ln, f[2]));
      continue;
    }
    if (f[0] === 'migrate') {
      if (migrate_icount >= 0) throw new OmptError(file, ln, 'expected one migrate line, found a second');
      if (f.length !== 2 || !DEC.test(f[1]!)) throw new OmptError(file, ln, `expected 'migrate <icount>', got '${line}'`);
      migrate_icount = Number(f[1]);
      last_ic = migrate_icount;
      continue;
    }
    if (f[0] === 'mark' || f[0] === 'step') {
      const mark = f[0] === 'mark';
      const form = mark ? "'mark <icount> <label>'" : "'step <icount>'";
      if (migrate_icount < 0) throw new OmptError(file, ln, `a ${f[0]} line before the 'migrate' line: expected 'pre R|W|X <vpn-hex>' or 'migrate <icount>'`);
      if (f.length !== (mark ? 3 : 2) || !DEC.test(f[1]!) || (mark && !/^[A-Za-z_][\w.-]*$/.test(f[2]!))) throw new OmptError(file, ln, `expected ${form}, got '${line}'`);
      const ic = Number(f[1]);
      if (ic < last_ic) throw new OmptError(file, ln, `instruction count ${ic} goes back (the previous was ${last_ic}): expected a non-decreasing count`);
      last_ic = ic;
      breaks.push({ label: mark ? f[2]! : null, index: n, icount: ic });
      continue;
    }
    // Slow path for a reference line: only reached by lines the fast path refused.
    if (!DEC.test(f[0]!)) throw new OmptError(file, ln, `unknown record type '${f[0]}': expected 'pre', 'migrate', 'step', 'mark', '#' or '<icount> R|W|X <vpn-hex>'`);
    if (migrate_icount < 0) throw new OmptError(file, ln, "a reference before the 'migrate' line: expected 'pre R|W|X <vpn-hex>' or 'migrate <icount>'");
    if (f.length !== 3) throw new OmptError(file, ln, `expected '<icount> R|W|X <vpn-hex>', got '${line}'`);
    const ic = Number(f[0]);
    if (ic < last_ic) throw new OmptError(file, ln, `instruction count ${ic} goes back (the previous was ${last_ic}): expected a non-decreasing count`);
    last_ic = ic;
    if (n === cap) grow();
    icount[n] = ic;
    kind[n] = parse_kind(file, ln, f[1]);
    vpn[n] = parse_vpn(file, ln, f[2]);
    n++;
  }
  if (migrate_icount < 0) throw new OmptError(file, ln, "expected a 'migrate <icount>' line, found none");
  return { file, header, page_B, firsttouch: header.firsttouch === '1', pre_vpn, pre_kind, migrate_icount, n, icount, vpn, kind, breaks, comments };
}

export const load_trace = (file: string): Trace => parse_ompt(read_trace_text(file), file);

/** The text of a trace (for writers that hold it whole: tests, small synthetic traces). */
export function format_ompt(t: Omit<Trace, 'file' | 'comments'>): string {
  const out: string[] = [`${OMPT_MAGIC} ${Object.entries(t.header).map(([k, v]) => `${k}=${v}`).join(' ')}`];
  for (let i = 0; i < t.pre_vpn.length; i++) out.push(`pre ${KIND_CHAR[t.pre_kind[i]!]} ${t.pre_vpn[i]!.toString(16)}`);
  out.push(`migrate ${t.migrate_icount}`);
  let b = 0;
  for (let i = 0; i <= t.n; i++) {
    for (; b < t.breaks.length && t.breaks[b]!.index === i; b++) {
      const br = t.breaks[b]!;
      out.push(br.label === null ? `step ${br.icount}` : `mark ${br.icount} ${br.label}`);
    }
    if (i < t.n) out.push(`${t.icount[i]} ${KIND_CHAR[t.kind[i]!]} ${t.vpn[i]!.toString(16)}`);
  }
  return out.join('\n') + '\n';
}
