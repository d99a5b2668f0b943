// The oracle's knowledge of the future (mm/oracle.ts), kept by the host,
// not by any node: a first run of the program records the pages it faults
// on after its migration under NoPrefetch (every page left behind is then
// asked for at its first touch, so the misses are the order in which the
// process first needs each page); a second run of the same program, which
// determinism makes reference the same pages in the same order, hands that
// recording to the oracle's prefetcher at the destination. Like the
// timeline, it is the experimenter's probe: no node's behaviour reads it
// except the oracle's, which is the point of an oracle.
import type { Cluster } from '../kernel/cluster.ts';

/** The misses of each process, in order, while a recording runs. */
export class RefRecorder {
  readonly by_pid = new Map<number, number[]>();
  miss(pid: number, vpn: number): void {
    let l = this.by_pid.get(pid);
    if (!l) this.by_pid.set(pid, (l = []));
    l.push(vpn);
  }
  refs(pid: number): Int32Array {
    return Int32Array.from(this.by_pid.get(pid) ?? []);
  }
}

/** Record this cluster's remote-fault misses. */
export function record_refs(c: Cluster): RefRecorder {
  const r = new RefRecorder();
  c.ext.set('om_ref_recorder', r);
  return r;
}

export const ref_recorder_of = (c: Cluster): RefRecorder | undefined => c.ext.get('om_ref_recorder') as RefRecorder | undefined;

/** Hand a recording to this cluster's oracle for pid. */
export function set_future_refs(c: Cluster, pid: number, vpns: Int32Array): void {
  let m = c.ext.get('om_future_refs') as Map<number, Int32Array> | undefined;
  if (!m) c.ext.set('om_future_refs', (m = new Map()));
  m.set(pid, vpns);
}

export const future_refs_of = (c: Cluster, pid: number): Int32Array | undefined =>
  (c.ext.get('om_future_refs') as Map<number, Int32Array> | undefined)?.get(pid);
