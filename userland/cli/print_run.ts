// What `omemu run`, `omemu replay` and `omemu chaos --replay` print for a
// migration run: one JSON object (or an array) with --json, else a line a
// run in words, with figures rounded to what they mean (JSON keeps them
// whole), and the details under it.
import type { RunResult } from '../experiment.ts';
import { plural, secs } from './format.ts';

/** How the migrations went, in words: 'did not migrate: why', or the count and the freeze. */
export function migrations_text(r: RunResult): string {
  if (!r.migrated) return `did not migrate: ${r.not_migrated_reason ?? 'no migration happened'}`;
  const count = r.migrations_planned === 1 && r.migrations === 1 ? 'migrated' : `${r.migrations} of ${plural(r.migrations_planned, 'migration')}`;
  const short = r.not_migrated_reason ? ` (${r.not_migrated_reason})` : '';
  return `${count}${short}, freeze ${secs(r.freeze_s)}`;
}

/** One run as a line of text, and its details below it. */
export function run_text(r: RunResult): string {
  const what = `${r.program}${r.problem ? ` [${r.problem}, ${r.used_mib.toFixed(1)} MiB used, ${r.mode} mode]` : ''}`;
  const prefetch = r.prefetched_pages > 0
    ? `${plural(r.prefetched_pages, 'prefetched page')} (${r.prefetch_hits} used, ${r.wasted_prefetch} wasted, ${r.prefetch_in_flight} in flight at exit)`
    : '0 prefetched pages';
  const lines = [
    `${what} ${r.scheme} on ${r.profile}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}, ${migrations_text(r)}, runtime ${secs(r.runtime_s)}, ${r.pauses > 0 ? `paused ${secs(r.paused_s)} (${plural(r.pauses, 'pause')}), ` : ''}` +
      `${plural(r.remote_fault_requests, 'remote fault request')}, ${prefetch}, ${plural(r.pages_transferred, 'page')} moved, MPT ${r.mpt_bytes} B, ` +
      `${r.verified ? 'verified' : 'NOT verified'} (${r.checks.join(', ')})`,
  ];
  for (const f of r.faults) lines.push(`  fault ${f.fault}: ${f.injected_s === null ? 'never took effect' : `at ${secs(f.injected_s)}`}`);
  for (const rep of r.reports) lines.push(`  report: ${rep}`);
  if (r.crashed_nodes.length) lines.push(`  figures: without the counts of crashed ${r.crashed_nodes.length === 1 ? 'node' : 'nodes'} ${r.crashed_nodes.join(', ')}`);
  for (const f of r.failures) lines.push(`  failed: ${f}`);
  return lines.join('\n') + '\n';
}

/** Print runs as JSON (one object, or an array of several) or as text. */
export function print_runs(results: RunResult[], json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  else for (const r of results) process.stdout.write(run_text(r));
}
