// --balancer birth: remote execution, the non-preemptive placement that
// Harchol-Balter and Downey compare preemptive migration against. When a
// process starts on this node, it is placed at once on the node of lowest
// known load (the load vector infoD brought, with what this node already
// sent there counted, and the stability factor: om/balance/node.ts), if
// that node with it added is lighter than this one by the threshold; it is
// never moved later. The placement is a migration of the process as it
// starts, before it has touched its memory: a freeze of the setup, its
// image's few pages and (for AMPoM) their MPT, about 70 ms, which is what
// the cluster's JSON reports as its cost. What birth knows is what every
// balancer knows: loads up to a gossip round old.
import type { Task } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { om_task } from '../state.ts';
import { expected_gain, type BalancerPolicy, type NodeBalancer } from './node.ts';

function place(b: NodeBalancer, task: Task): void {
  if (b.is_locked(task) || !task.mm || !om_task(task)) return;
  const v = b.view(true);
  // The newcomer is not in this node's load yet.
  const local = v.local + 1 / b.node.speed;
  const c = { task, mm: task.mm as MmStruct, age_ns: 0 };
  const t = b.target(v.peers, c);
  if (!t || !(local - b.opts.threshold > t.after)) return;
  const g = expected_gain({ ...v, local, n_here: v.n_here + 1 }, c, t);
  b.move(task, t.e.node, 'birth', b.cost(c, t.e, g.share_src, g.share_dest), 1 / t.e.speed);
}

export const birth: BalancerPolicy = { name: 'birth', tick: () => {}, spawned: place };
