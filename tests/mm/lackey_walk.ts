// The lackey recordings of walk.c (tests/fixtures/lackey) replayed on a
// FakeSpace: the trace's regions are the VMAs (as `omemu replay` maps them),
// its `pre` pages are held at home except the three the migration moves
// (eip, last data, stack), and the references after migration are touched in
// order. Time is left out, which changes no decision of the Linux-family
// schemes (a page in flight and one arrived are both swap-cache hits).
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { make_prefetcher } from '../../mm/prefetch.ts';
import { from_lackey, open_input } from '../../userland/trace/lackey.ts';
import { parse_ompt, type Trace } from '../../userland/trace/ompt.ts';
import { layout_trace } from '../../userland/trace/replay.ts';
import { FakeSpace } from './fake_space.ts';

const FIX = new URL('../fixtures/lackey/', import.meta.url);

export async function walk_trace(mode: 'seq' | 'rand'): Promise<Trace> {
  const meta = JSON.parse(readFileSync(new URL('meta.json', FIX), 'utf8')) as Record<string, { migrate_at: number }>;
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (b: Buffer) => parts.push(b));
  await from_lackey(open_input(new URL(`walk-${mode}.lackey.gz`, FIX).pathname), sink, { migrate_at: meta[mode]!.migrate_at, first_touch: true });
  sink.end();
  return parse_ompt(Buffer.concat(parts).toString('latin1'), `walk-${mode}`);
}

export interface WalkResult {
  /** Faults whose own page had to be asked for, pages the zones brought, of those never touched, readahead hits. */
  requests: number;
  prefetched: number;
  wasted: number;
  hits: number;
  broken: number;
}

/** NoPrefetch asks home for every page it touches that did not move, new pages included (home says they never existed). */
export function noprefetch_requests(t: Trace): number {
  const lay = layout_trace(t);
  const moved = moved_pages(t);
  const asked = new Set<number>();
  for (let i = 0; i < t.n; i++) {
    const v = lay.map(t.vpn[i]!);
    if (!moved.has(v)) asked.add(v);
  }
  return asked.size;
}

function moved_pages(t: Trace): Set<number> {
  const lay = layout_trace(t);
  const moved = new Set<number>();
  for (const k of ['eip', 'data', 'stack']) if (t.header[k]) moved.add(lay.map(parseInt(t.header[k]!, 16)));
  return moved;
}

export function replay_walk(t: Trace, scheme: string): WalkResult {
  const lay = layout_trace(t);
  const sp = new FakeSpace(lay.regions.map((r) => ({ start: r.base, end: r.base + (r.hi - r.lo) + 1 })));
  const moved = moved_pages(t);
  for (const p of t.pre_vpn) {
    const v = lay.map(p);
    if (moved.has(v)) sp.local.add(v);
    else sp.remote.add(v);
  }
  const pf = make_prefetcher(scheme);
  for (let i = 0; i < t.n; i++) sp.touch(lay.map(t.vpn[i]!), pf);
  return { requests: sp.requests, prefetched: sp.prefetched, wasted: sp.wasted, hits: sp.hits, broken: sp.broken.length };
}
