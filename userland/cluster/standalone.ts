// A job's standalone runtime: the same program alone on one unloaded node of
// the standard speed (1), from its start to its exit. A job's slowdown is
// its turnaround in the cluster over this. Fast mode makes the same page
// references at the same times as exact mode (a property test holds them
// equal), so the standalone run is always in fast mode; runs are memoised
// by kernel and size (the same inputs give the same time).
//
// A hog's run is its setup and read-back, which depend on its size only,
// and its sweep, which alone on a node is nothing but its CPU time (every
// page resident, nothing else to wait for): so it is the emulated run of the
// same hog with no sweep, plus the sweep's references times their CPU time.
// tests/om/balance_workload.test.ts holds that equal to a whole run.
import { Cluster } from '../../kernel/cluster.ts';
import { spawn_program } from '../../mm/exec.ts';
import { make_hpcc, type Kernel } from '../hpcc/index.ts';
import { HOG_NS_PER_PAGE, hog_refs } from '../hpcc/hog.ts';

const memo = new Map<string, number>();

/** Memory for a node that runs one program of used_B: the problem plus a quarter and 64 MiB. */
export const node_mem_for = (used_B: number): number => Math.ceil((used_B / 2 ** 20) * 1.25 + 64) << 20;

/** The emulated run, alone on a speed-1 node, ns. */
export function run_alone_ns(kernel: Kernel, mib: number, cpu_s?: number): number {
  const program = make_hpcc({ kernel, mib, mode: 'fast', cpu_s });
  const c = new Cluster({ nodes: 1, mem_B: node_mem_for(program.size.used_B), seed: 1 });
  const t = spawn_program(c, c.node(0), program.image, program.gen);
  c.run();
  if (t.alive || t.exit_code !== 0) throw new Error(`standalone run of ${kernel} ${mib} MiB did not complete (${t.exit_reason || `exit ${t.exit_code}`})`);
  return t.exit_ns - t.start_ns;
}

export function standalone_ns(kernel: Kernel, mib: number, cpu_s?: number): number {
  if (kernel === 'hog') {
    const key = `hog/${mib}`;
    let base = memo.get(key);
    if (base === undefined) {
      base = run_alone_ns('hog', mib, 0);
      memo.set(key, base);
    }
    return base + hog_refs({ ws_B: 0, cpu_ns: Math.round((cpu_s ?? 1) * 1e9) }) * HOG_NS_PER_PAGE;
  }
  const key = `${kernel}/${mib}`;
  const got = memo.get(key);
  if (got !== undefined) return got;
  const ns = run_alone_ns(kernel, mib);
  memo.set(key, ns);
  return ns;
}
