// The migration timeline: when each page arrived at the migrant and how it
// came (the freeze's copy, a pre-copy round, a demand fault, a prefetch
// zone, the push), and each fault that waited and for how long. It is the
// experimenter's probe (`omemu run --plot`), kept only when asked for, and
// no node reads it.
import type { Cluster } from '../kernel/cluster.ts';

export type ArrivalKind = 'freeze' | 'precopy' | 'demand' | 'zone' | 'push';
export const ARRIVAL_KINDS: ArrivalKind[] = ['freeze', 'precopy', 'demand', 'zone', 'push'];

export class Timeline {
  /** Arrivals: virtual ns, page number, kind (parallel arrays: there can be hundreds of thousands). */
  readonly t_ns: number[] = [];
  readonly vpn: number[] = [];
  readonly kind: ArrivalKind[] = [];
  /** Faults that waited: when, on which page, for how long. */
  readonly waits: { t_ns: number; vpn: number; wait_ns: number }[] = [];
  /** What each page was asked for as, until it arrives. */
  private readonly asked = new Map<number, ArrivalKind>();
  private waiting: { t_ns: number; vpn: number } | null = null;

  arrived(t_ns: number, vpn: number, kind: ArrivalKind): void {
    this.t_ns.push(t_ns);
    this.vpn.push(vpn);
    this.kind.push(kind);
  }

  requested(vpn: number, kind: 'demand' | 'zone'): void {
    this.asked.set(vpn, kind);
  }

  /** A page came in a reply: how it was asked for (a zone page, or a demand). */
  reply_arrived(t_ns: number, vpn: number): void {
    const k = this.asked.get(vpn) ?? 'demand';
    this.asked.delete(vpn);
    this.arrived(t_ns, vpn, k);
  }

  wait_begins(t_ns: number, vpn: number): void {
    this.waiting = { t_ns, vpn };
  }

  wait_ends(t_ns: number): void {
    if (!this.waiting) return;
    this.waits.push({ ...this.waiting, wait_ns: t_ns - this.waiting.t_ns });
    this.waiting = null;
  }
}

export function timeline_of(c: Cluster): Timeline | null {
  return (c.ext.get('om_timeline') as Timeline | undefined) ?? null;
}

/** Keep a timeline for this cluster's run. */
export function record_timeline(c: Cluster): Timeline {
  const t = new Timeline();
  c.ext.set('om_timeline', t);
  return t;
}
