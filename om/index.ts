// Loading openMosix into a cluster: the network and infoD, the hooks into the
// kernel and mm, the migration costs and the writable /proc/PID/where.
import type { Cluster } from '../kernel/cluster.ts';
import { EINVAL } from '../kernel/errno.ts';
import { attach_network } from '../net/link.ts';
import { start_infod } from '../net/infod.ts';
import type { NetProfile } from '../net/profiles.ts';
import { register_om_costs } from './costs.ts';
import { request_migration } from './migrate.ts';
import { install_remote_hooks } from './remote.ts';
import { om_task_init, type Policy } from './state.ts';
import '../mm/ampom.ts'; // registers the AMPoM prefetcher

export function om_init(cluster: Cluster, profile: NetProfile): void {
  if (cluster.ext.has('om')) return;
  cluster.ext.set('om', true);
  const net = attach_network(cluster, profile);
  const active = (): boolean => cluster.live_tasks > 0;
  start_infod(cluster, active);
  net.start_cross_traffic(profile.cross_traffic, active);
  for (const n of cluster.nodes) register_om_costs(n.cpu);
  install_remote_hooks(cluster);
  // openMosix's migrate tool writes a node number (or "home") here.
  cluster.procfs.register('/proc/PID/where', {
    read: ({ task }) => (task!.node === task!.home ? 'home' : String(task!.node.id)) + '\n',
    write: ({ task }, data) => {
      const v = data.trim();
      const dest = v === 'home' ? task!.home.id : /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(dest) || dest < 0 || dest >= cluster.nodes.length) return -EINVAL;
      return request_migration(task!, cluster.node(dest));
    },
  });
}

export { request_migration, om_task_init, type Policy };
