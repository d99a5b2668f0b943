// A mosmon-style view of the cluster (omemu cluster --monitor): one bar a
// node, as long as the load the node exports (what its peers see of it),
// with its processes and free memory, redrawn as virtual time passes.
import type { Snapshot } from './run.ts';

const WIDTH = 40;

/** The screen for one snapshot: a header, a bar a node, a summary line. */
export function render_monitor(s: Snapshot, max_load: number): string {
  const scale = Math.max(1, max_load);
  const lines = [`omemu cluster  t = ${s.t_s.toFixed(1)} s  jobs ${s.started}/${s.jobs} started, ${s.finished} finished, ${s.migrations} migrations`];
  lines.push(`node speed  load |${' '.repeat(WIDTH)}| procs  free MiB`);
  for (const n of s.nodes) {
    const k = Math.min(WIDTH, Math.round((n.exported / scale) * WIDTH));
    lines.push(
      `${String(n.id).padStart(4)} ${n.speed.toFixed(2).padStart(5)} ${n.exported.toFixed(2).padStart(5)} |${'#'.repeat(k)}${' '.repeat(WIDTH - k)}| ${String(n.procs).padStart(5)}  ${n.free_mib.toFixed(0).padStart(8)}`,
    );
  }
  return lines.join('\n') + '\n';
}
