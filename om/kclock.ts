// A node's kernel-side clock: work the kernel does outside any task (the
// send and receive paths of migration and paging) runs one piece after
// another on the node's CPU, no earlier than it is asked for.
import type { Node } from '../kernel/node.ts';

const new_kclock = (): { t: number } => ({ t: 0 });

function kclock(node: Node): { t: number } {
  return node.attach('om_kclock', new_kclock); // a factory, not a closure a call
}

/** Run CPU work of `ns` on a node's kernel no earlier than at_ns; returns when it ends. */
export function kernel_work(node: Node, at_ns: number, ns: number): number {
  const k = kclock(node);
  k.t = Math.max(k.t, at_ns, node.cluster.queue.now_ns) + Math.round(ns);
  node.busy_ns += ns;
  return k.t;
}
