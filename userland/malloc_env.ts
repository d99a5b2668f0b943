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
// also stops it rising). Elsewhere (another libc) the variable is ignored.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';

export const MMAP_TUNABLE = 'glibc.malloc.mmap_threshold=131072';

/** The environment with the tunable added to any the user set. */
export function env_with_tunable(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const cur = env.GLIBC_TUNABLES ?? '';
  if (cur.includes('glibc.malloc.mmap_threshold')) return env;
  return { ...env, GLIBC_TUNABLES: cur === '' ? MMAP_TUNABLE : `${cur}:${MMAP_TUNABLE}` };
}

/** Set in the relaunched process: the pid of the one that waits for it. */
const PARENT_VAR = 'OMEMU_RELAUNCHED_BY';

/**
 * Unless it is set already, run this very command again with the tunable
 * and exit with its status: it returns only when no relaunch is needed, so
 * the caller's later code runs in the relaunched process alone. Ctrl-C
 * reaches both (one process group), and the relaunched process handles it;
 * a SIGTERM or SIGHUP sent to this one is passed on. Should this one be
 * killed outright (SIGKILL), the relaunched one notices within a second and
 * stops too, so no orphan goes on writing the output a resumed run writes.
 * For commands whose main thread waits on workers (the timer must get to run).
 */
export async function relaunch_with_mmap_threshold(): Promise<void> {
  const parent = Number(process.env[PARENT_VAR] ?? 0);
  if (parent > 0 && parent === process.ppid) {
    setInterval(() => {
      if (process.ppid === parent) return;
      process.stderr.write(`omemu: the process that started this one (pid ${parent}) is gone: stopping; the same command resumes\n`);
      process.exit(137);
    }, 1000).unref();
  }
  if (process.platform !== 'linux' || env_with_tunable(process.env) === process.env) return;
  const env = { ...env_with_tunable(process.env), [PARENT_VAR]: String(process.pid) };
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.on('SIGINT', () => {});
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
}
