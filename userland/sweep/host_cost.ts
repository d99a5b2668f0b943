// What a run cost the host, kept beside a sweep's records and never in
// them: a record's bytes depend only on its configuration and the build,
// while the host's seconds depend on the machine and whatever else ran on
// it. One JSON line a run in the records file's sidecar (runs.jsonl ->
// runs.host.jsonl, runs-I-of-N.jsonl -> runs-I-of-N.host.jsonl), appended as
// runs finish, so a resumed or sharded bench still knows what each run cost.
import { existsSync, readFileSync } from 'node:fs';

export interface HostCost {
  /**
   * CPU seconds (user + system) of the worker thread while it ran the run:
   * the kernel's on-CPU time of that thread (/proc/thread-self/schedstat),
   * so the other workers and sessions on the machine do not count. V8's
   * helper threads (concurrent GC marking, compilation) are not in it.
   * null where the kernel does not say (not Linux).
   */
  cpu_s: number | null;
  /** Wall seconds of the run (a busy machine stretches them). */
  wall_s: number;
}

/** This thread's on-CPU seconds so far (user + system), or null when the kernel does not say. */
export function thread_cpu_s(): number | null {
  try {
    // schedstat: on-CPU ns, wait ns, timeslices; nanosecond resolution where stat counts 10 ms ticks.
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e9 : null;
  } catch {
    return null;
  }
}

/** Measure one call on this thread. */
export function measure<T>(f: () => T): { value: T; cost: HostCost } {
  const cpu0 = thread_cpu_s();
  const t0 = performance.now();
  const value = f();
  const wall_s = (performance.now() - t0) / 1000;
  const cpu1 = thread_cpu_s();
  return { value, cost: { cpu_s: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, wall_s } };
}

/** The sidecar of a records file. */
export const host_path_of = (jsonl: string): string => jsonl.replace(/\.jsonl$/, '') + '.host.jsonl';
export const HOST_FILE_RE = /^runs(?:-\d+-of-\d+)?\.host\.jsonl$/;

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export const host_line = (hash: string, build: string, c: HostCost): string =>
  JSON.stringify({ hash, build, cpu_s: c.cpu_s === null ? null : r3(c.cpu_s), wall_s: r3(c.wall_s) }) + '\n';

/**
 * The costs in a sidecar, by hash, of the runs of `build` only (another
 * build's figures describe other code). A line that is not whole (a run cut
 * short while writing) is skipped: a missing cost is only a gap in a table.
 */
export function read_host(path: string, build: string): Map<string, HostCost> {
  const out = new Map<string, HostCost>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let x: { hash?: unknown; build?: unknown; cpu_s?: unknown; wall_s?: unknown };
    try {
      x = JSON.parse(line) as typeof x;
    } catch {
      continue;
    }
    if (typeof x?.hash !== 'string' || x.build !== build || typeof x.wall_s !== 'number') continue;
    out.set(x.hash, { cpu_s: typeof x.cpu_s === 'number' ? x.cpu_s : null, wall_s: x.wall_s });
  }
  return out;
}
