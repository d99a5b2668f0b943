// trace from-lackey: turn valgrind lackey's --trace-mem=yes output into ompt,
// streaming. Memory is bounded by the program's footprint (the pages seen
// before the migration point, and with --first-touch the pages seen after),
// never by the length of the log.
//
// Lackey lines: "I  <addr>,<size>" (instruction fetch), " L", " S" or " M"
// then "<addr>,<size>" (load, store, modify). Fetches are X, loads R, stores
// and modifies W; an access that straddles a page boundary references both
// pages. Any other line (valgrind's banner, the program's output) is skipped.
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { REF_R, REF_W, REF_X } from '../../kernel/op.ts';
import { KIND_CHAR, OMPT_MAGIC } from './ompt.ts';

export interface LackeyOpts {
  /** Migrate before the instruction with this index (0-based count of fetches). */
  migrate_at: number;
  /** Keep only the first reference to each page after migration. */
  first_touch?: boolean;
  /** Free text for the header's source= key. */
  source?: string;
}

export interface LackeyStats {
  bytes: number;
  lines: number;
  trace_lines: number;
  skipped_lines: number;
  instructions: number;
  pre_pages: number;
  refs_written: number;
  migrated: boolean;
}

const PAGE_SHIFT_DIV = 4096;
/** Pages within this distance of the highest data page count as the stack. */
const STACK_SPAN_PAGES = 2048;

/** Count instruction fetches in a lackey log (the first pass of --migrate-at-fraction). */
export async function count_instructions(input: Readable): Promise<number> {
  let n = 0;
  let at_line_start = true;
  let state = 0; // 0: start of line, 1: saw 'I', 2: saw 'I ', 3: other
  for await (const chunk of input as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 10) {
        at_line_start = true;
        state = 0;
        continue;
      }
      if (at_line_start) {
        state = c === 73 ? 1 : 3;
        at_line_start = false;
      } else if (state === 1) state = c === 32 ? 2 : 3;
      else if (state === 2) {
        if (c === 32) n++;
        state = 3;
      }
    }
  }
  return n;
}

/** Convert; resolves with what was seen. */
export async function from_lackey(input: Readable, out: Writable, o: LackeyOpts): Promise<LackeyStats> {
  const st: LackeyStats = { bytes: 0, lines: 0, trace_lines: 0, skipped_lines: 0, instructions: 0, pre_pages: 0, refs_written: 0, migrated: false };
  const pre = new Map<number, number>();
  const seen = o.first_touch ? new Set<number>() : null;
  let last_x = -1;
  let last_d = -1;
  let top_d = -1;
  let stack_page = -1;
  let last_out = -1;
  let buf = '';

  const flush = async (force: boolean): Promise<void> => {
    if (buf.length < 1 << 16 && !force) return;
    const s = buf;
    buf = '';
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  };

  const migrate = (): void => {
    st.migrated = true;
    const hints = [`eip=${last_x.toString(16)}`, `data=${last_d.toString(16)}`, `stack=${stack_page.toString(16)}`].filter((h) => !h.endsWith('=-1'));
    const head = [`${OMPT_MAGIC} page=4096 source=${o.source ?? 'lackey'} migrate_at=${o.migrate_at}`, `firsttouch=${seen ? 1 : 0}`, ...hints];
    const lines = [head.join(' ')];
    for (const [vpn, k] of pre) lines.push(`pre ${KIND_CHAR[k]} ${vpn.toString(16)}`);
    lines.push(`migrate ${o.migrate_at}`);
    buf += lines.join('\n') + '\n';
    st.pre_pages = pre.size;
    pre.clear();
  };

  /** One reference to the page vpn at the current instruction count. */
  const ref = (vpn: number, kind: number, ic: number): void => {
    if (!st.migrated) {
      const k = pre.get(vpn);
      // W wins (the page is dirty), then X, then R.
      if (k === undefined || kind === REF_W || (kind === REF_X && k === REF_R)) pre.set(vpn, kind);
      if (kind === REF_X) last_x = vpn;
      else {
        last_d = vpn;
        if (vpn > top_d) top_d = vpn;
        if (top_d - vpn < STACK_SPAN_PAGES) stack_page = vpn;
      }
      return;
    }
    if (vpn === last_out) return;
    if (seen) {
      if (seen.has(vpn)) return;
      seen.add(vpn);
    }
    last_out = vpn;
    buf += `${ic} ${KIND_CHAR[kind]} ${vpn.toString(16)}\n`;
    st.refs_written++;
  };

  // The line parser keeps its state across chunks.
  let col = 0; // column in the current line
  let kind = -1; // -1 undecided, -2 not a trace line
  let addr = 0;
  let size = 0;
  let phase = 0; // 0 prefix, 1 address, 2 size
  let bad = false;
  const end_line = (): void => {
    st.lines++;
    if (kind >= 0 && phase === 2 && !bad && size > 0) {
      st.trace_lines++;
      if (kind === REF_X) {
        if (!st.migrated && st.instructions === o.migrate_at) migrate();
        st.instructions++;
      }
      // The index of the instruction this access belongs to.
      const ic = st.instructions - 1;
      const first = Math.floor(addr / PAGE_SHIFT_DIV);
      const last = Math.floor((addr + size - 1) / PAGE_SHIFT_DIV);
      for (let p = first; p <= last; p++) ref(p, kind, Math.max(ic, 0));
    } else if (col > 0) st.skipped_lines++;
    col = 0;
    kind = -1;
    addr = 0;
    size = 0;
    phase = 0;
    bad = false;
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    st.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 10) {
        end_line();
        continue;
      }
      if (kind === -2) continue;
      if (phase === 0) {
        // "I  " or " L " / " S " / " M ": the address starts at column 3.
        if (col === 0) kind = c === 73 ? REF_X : c === 32 ? -1 : -2;
        else if (col === 1) {
          if (kind === REF_X) kind = c === 32 ? REF_X : -2;
          else kind = c === 76 ? REF_R : c === 83 || c === 77 ? REF_W : -2;
        } else if (col === 2) {
          if (c !== 32) kind = -2;
          else phase = 1;
        }
        col++;
        continue;
      }
      col++;
      if (phase === 1) {
        if (c === 44) phase = 2;
        else {
          const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (d < 0) kind = -2;
          else addr = addr * 16 + d;
        }
      } else {
        if (c >= 48 && c <= 57) size = size * 10 + (c - 48);
        else if (c !== 13) bad = true;
      }
    }
    await flush(false);
  }
  if (col > 0) end_line();
  if (!st.migrated) migrate();
  await flush(true);
  return st;
}

/** The input stream of a path ('-' is stdin); a .gz file is gunzipped on the way. */
export function open_input(path: string): Readable {
  if (path === '-') return process.stdin;
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!path.endsWith('.gz')) return file;
  const gz = createGunzip({ chunkSize: 1 << 20 });
  file.on('error', (e) => gz.destroy(e));
  return file.pipe(gz);
}
