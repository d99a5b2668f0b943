// CPU cost of the HPCC kernels' own work on the paper's testbed: a Pentium 4
// at 2 GHz with 512 MB (Fedora Core 1, gcc 3.3.2). These are inputs taken
// from what that machine is known to do, never fitted to a figure. The
// kernel's own costs (traps, faults, zero-filling, PTEs) are in kernel/cpu.ts.
import type { Cluster } from '../../kernel/cluster.ts';

export const HPCC_COSTS_NS = {
  /**
   * One byte of STREAM traffic, counted as STREAM counts it (Copy and Scale
   * 16 B an element, Add and Triad 24 B). Published STREAM results for 2 GHz
   * Pentium 4 systems (i850 RDRAM / i845 DDR) are 1.5-2.2 GB/s; 1.6 GB/s.
   */
  mem_B: 1 / 1.6,
  /**
   * One DGEMM flop: ATLAS on a Pentium 4 reaches about 75% of the 4 GFlop/s
   * SSE2 peak at 2 GHz, so 3.0 GFlop/s.
   */
  dgemm_flop: 1 / 3.0,
  /**
   * One RandomAccess update (a load and a store of a random 64-bit word in a
   * table far larger than the 512 KB L2 and the TLB's reach): a DRAM access
   * of ~120 ns on the P4's chipsets, the page walk overlapping it because
   * the 128 streams are independent. ~0.008 GUP/s, in line with single-CPU
   * P4 HPCC results of the time.
   */
  ra_update: 120,
  /**
   * One FFT flop (5 n log2 n a transform): FFTE on a 2 GHz P4 runs
   * out-of-cache 1-D transforms at about 0.8 GFlop/s.
   */
  fft_flop: 1 / 0.8,
  /**
   * Generating one random matrix or vector element in a setup phase (HPCC's
   * generators do a multiply-add chain and a store): ~20 ns.
   */
  gen_elem: 20,
} as const;

export type HpccCostClass = keyof typeof HPCC_COSTS_NS;

const defined = new WeakMap<Cluster, Record<HpccCostClass, number>>();

/**
 * Define the classes on every node of the cluster (a migrant keeps charging
 * them wherever it runs); returns their ids, equal on every node.
 */
export function hpcc_cost_ids(cluster: Cluster): Record<HpccCostClass, number> {
  // Defined once a cluster (every program started defined them on every node again: at 256 nodes, 2,000 defines a start).
  const known = defined.get(cluster);
  if (known) return known;
  const ids = {} as Record<HpccCostClass, number>;
  defined.set(cluster, ids);
  for (const [name, ns] of Object.entries(HPCC_COSTS_NS) as [HpccCostClass, number][]) {
    let id = -1;
    for (const node of cluster.nodes) {
      const nid = node.cpu.define(`hpcc_${name}`, ns);
      if (id >= 0 && nid !== id) throw new Error(`cpu class hpcc_${name} has id ${nid} on ${node.name} but ${id} elsewhere`);
      id = nid;
    }
    ids[name] = id;
  }
  return ids;
}
