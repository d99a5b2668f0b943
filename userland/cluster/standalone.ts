// A job's standalone runtime: the same program alone on one unloaded node of
// the standard speed (1), from its start to its exit. A job's slowdown is
// its turnaround in the cluster over this. Fast mode makes the same page
// references at the same times as exact mode (a property test holds them
// equal), so the standalone run is always in fast mode; runs are memoised
// by kernel and size (the same inputs give the same time).
import { Cluster } from '../../kernel/cluster.ts';
import { spawn_program } from '../../mm/exec.ts';
import { make_hpcc, type HpccKernel } from '../hpcc/index.ts';

const memo = new Map<string, number>();

/** Memory for a node that runs one program of used_B: the problem plus a quarter and 64 MiB. */
export const node_mem_for = (used_B: number): number => Math.ceil((used_B / 2 ** 20) * 1.25 + 64) << 20;

export function standalone_ns(kernel: HpccKernel, mib: number): number {
  const key = `${kernel}/${mib}`;
  const got = memo.get(key);
  if (got !== undefined) return got;
  const program = make_hpcc({ kernel, mib, mode: 'fast' });
  const c = new Cluster({ nodes: 1, mem_B: node_mem_for(program.size.used_B), seed: 1 });
  const t = spawn_program(c, c.node(0), program.image, program.gen);
  c.run();
  if (t.alive || t.exit_code !== 0) throw new Error(`standalone run of ${kernel} ${mib} MiB did not complete (${t.exit_reason || `exit ${t.exit_code}`})`);
  const ns = t.exit_ns - t.start_ns;
  memo.set(key, ns);
  return ns;
}
