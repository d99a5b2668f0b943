// CPU costs of openMosix's own work, registered into each node's CPU model.
//
// Two of them are calibrated from the paper's Figure 5 (575 MB DGEMM on Fast
// Ethernet), as DESIGN.md allows, and nothing else is fitted:
// - mig_setup: NoPrefetch freezes for 0.07 s whatever the size. The modelled
//   transfer of its three pages, handshake and context takes ~2 ms on Fast
//   Ethernet, so the fixed cost of a migration (stopping the process, the
//   openMosix protocol set-up, creating the deputy and the remote process)
//   is the remaining ~68 ms.
// - mpt_entry: AMPoM freezes for 0.6 s at 575 MB (147,200 pages). Taking off
//   the fixed 0.07 s and the ~0.08 s the 6-byte-per-page MPT takes on the wire
//   leaves ~0.45 s for walking the page table to build the MPT and applying it
//   on the destination: ~3.1 us per page, split evenly between the two ends.
// The rest are estimates for a Pentium 4 at 2 GHz running 2.4's TCP stack:
// - om_msg: sending or receiving one protocol message through the kernel
//   TCP path (syscall-free, in-kernel sockets): ~8 us.
// - pte_scan: reading one PTE while walking a page table to cut it into
//   runs (ampom-push, post-copy): a PTE page is 4 KiB, 64 cache lines read
//   in order (~1.3 us at a P4's ~3 GB/s) plus a compare per entry, so ~5 ns
//   an entry. The per-page MPT's 1.55 us an entry at each end (above) is for
//   building, encoding and applying an entry, which runs do not do.
// - page_copy is the kernel's copy_page (kernel/cpu.ts).
import type { CpuModel } from '../kernel/cpu.ts';
import { NS_PER_MS, NS_PER_US } from '../kernel/time.ts';

export const OM_COSTS: Record<string, number> = {
  mig_setup: 68 * NS_PER_MS,
  mpt_entry: 1.55 * NS_PER_US,
  om_msg: 8 * NS_PER_US,
  pte_scan: 5,
};

export interface OmCostIds {
  mig_setup: number;
  mpt_entry: number;
  om_msg: number;
  pte_scan: number;
}

const registered = new WeakMap<CpuModel, OmCostIds>();

export function register_om_costs(cpu: CpuModel): OmCostIds {
  // Once a CPU: it is asked for at every message and fault.
  let ids = registered.get(cpu);
  if (!ids) {
    ids = {
      mig_setup: cpu.define('mig_setup', OM_COSTS.mig_setup!),
      mpt_entry: cpu.define('mpt_entry', OM_COSTS.mpt_entry!),
      om_msg: cpu.define('om_msg', OM_COSTS.om_msg!),
      pte_scan: cpu.define('pte_scan', OM_COSTS.pte_scan!),
    };
    registered.set(cpu, ids);
  }
  return ids;
}
