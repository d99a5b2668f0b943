// Memory ushering, as MOSIX does it: a node whose free memory falls below a
// share of its memory sends a process to the node with the most free
// memory that can take it, whatever the loads say (a node out of frames
// kills the process that needs one; this emulation has no swap). The
// process sent is the largest that can move (it frees the most); the
// target must keep the headroom after taking it. Note what the scheme
// changes: openMosix frees the process's pages here at once, the
// lightweight schemes only as the pages are fetched or pushed.
import type { Node } from '../kernel/node.ts';
import { FRAME_SIZE_B } from '../kernel/physmem.ts';
import type { Task } from '../kernel/task.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import type { LoadEntry } from '../net/loadvec.ts';

/** The move ushering asks for on this node now, or null. */
export function usher_choice(
  node: Node,
  candidates: readonly Task[],
  peers: readonly { e: LoadEntry }[],
  free_share: number,
  headroom: number,
): { task: Task; to: number } | null {
  const mem = node.mem;
  if (free_share <= 0 || mem.free_frames >= free_share * mem.nframes) return null;
  const by_size = [...candidates].sort((a, b) => (b.mm as MmStruct).rss - (a.mm as MmStruct).rss || a.pid - b.pid);
  const targets = [...peers].sort((a, b) => b.e.free_mem_B - a.e.free_mem_B || a.e.node - b.e.node);
  for (const task of by_size) {
    const need_B = (task.mm as MmStruct).rss * FRAME_SIZE_B * headroom;
    const t = targets[0];
    if (t && t.e.free_mem_B >= need_B) return { task, to: t.e.node };
  }
  return null;
}
