// glibc's malloc and the emulator's memory. Node allocates typed arrays'
// memory with calloc; a node's frames come in 1 MiB chunks (kernel/physmem.ts)
// that are allocated and freed as tasks come and go. glibc serves such a
// block with mmap, and frees it back to the system, only while it is above
// its mmap threshold, which starts at 128 KiB but rises to the size of any
// mmapped block freed (up to 32 MiB). After the first chunk is freed, chunks
// come from the heap instead: calloc then zeroes each one (committing a
// megabyte of frames fast mode never writes), and freed chunks stay in the
// heap. In a bench worker that ran one run after another, RSS grew to three
// or four times what one run needs (measured: five runs of 230-260 MiB in a
// row, 551 MB against 220 MB with the threshold fixed; one 16-node cluster
// run, 510 MB against 287 MB).
//
// glibc reads its tunables once, at start-up: a process that runs many
// emulations starts itself again with the threshold fixed at 128 KiB (which
// also stops it rising; userland/relaunch.ts). Elsewhere (another libc) the
// variable is ignored.
export const MMAP_TUNABLE = 'glibc.malloc.mmap_threshold=131072';

/** The environment with the tunable added to any the user set. */
export function env_with_tunable(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const cur = env.GLIBC_TUNABLES ?? '';
  if (cur.includes('glibc.malloc.mmap_threshold')) return env;
  return { ...env, GLIBC_TUNABLES: cur === '' ? MMAP_TUNABLE : `${cur}:${MMAP_TUNABLE}` };
}
