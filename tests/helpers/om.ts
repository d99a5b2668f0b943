// Helpers for tests that migrate a Driver-run task between nodes.
import { migrate_process } from '../../userland/experiment.ts';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { make_profile } from '../../net/profiles.ts';
import { om_init } from '../../om/index.ts';
import { om_task_init, type Policy } from '../../om/state.ts';
import { Driver } from './driver.ts';

export function om_setup(nodes = 2, policy: Policy = 'ampom', mem_MiB = 32): { c: Cluster; d: Driver } {
  const c = new Cluster({ nodes, mem_B: mem_MiB << 20, seed: 3 });
  om_init(c, make_profile('fast-ethernet'));
  const d = new Driver(c);
  om_task_init(d.task, policy);
  return { c, d };
}

/** Migrate the driver's task to node `to` and wait until it runs there; returns the result. */
export function om_migrate(d: Driver, to: number, policy?: Policy): { ok: boolean; errno: number } {
  let res: { ok: boolean; errno: number } | null = null;
  assert.is(migrate_process(d.cluster, d.task.pid, to, policy, (r) => (res = r)), 0);
  // Give the idle task an operation boundary whenever the migration waits for one.
  for (;;) {
    d.until(() => res !== null || d.task.stop_hook !== null);
    if (res !== null) break;
    d.exec({ kind: 'mark', label: 'migrate-now' });
  }
  const r = res as unknown as { ok: boolean; errno: number };
  if (r.ok) assert.is(d.task.node.id, to);
  return r;
}

/** Frames still used on a node beyond its zero page. */
export const frames_left = (c: Cluster, id: number): number => {
  const n = c.node(id);
  return n.mem.used_frames - (n.ext.has('zero_page') ? 1 : 0);
};
