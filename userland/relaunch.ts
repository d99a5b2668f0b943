// A command that emulates for long starts itself again, once, with what
// the host must know before a process starts: glibc's mmap threshold
// (malloc_env.ts, read from the environment at start-up) and V8's flags
// (v8_flags.ts, node's own arguments: most cannot change once the heap
// exists).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { env_with_tunable } from './malloc_env.ts';
import { DEFAULT_V8_FLAGS, missing_v8_flags } from './v8_flags.ts';

/** Set in the relaunched process: the pid of the one that waits for it. */
const PARENT_VAR = 'OMEMU_RELAUNCHED_BY';

/**
 * Unless this process has both already, run this very command again with
 * them and exit with its status: it returns only when no relaunch is
 * needed, so the caller's later code runs in the relaunched process alone.
 * A relaunched process never relaunches again. Ctrl-C reaches both (one
 * process group), and the relaunched process handles it; a SIGTERM or
 * SIGHUP sent to this one is passed on. Should this one be killed outright
 * (SIGKILL), the relaunched one notices within a second and stops too, so
 * no orphan goes on writing the output a resumed run writes; that check is
 * a timer, so it runs only while the main thread waits (on workers).
 */
export async function relaunch_tuned(): Promise<void> {
  const parent = Number(process.env[PARENT_VAR] ?? 0);
  if (parent > 0 && parent === process.ppid) {
    setInterval(() => {
      if (process.ppid === parent) return;
      process.stderr.write(`omemu: the process that started this one (pid ${parent}) is gone: stopping; the same command resumes\n`);
      process.exit(137);
    }, 1000).unref();
    return;
  }
  const env = process.platform === 'linux' ? env_with_tunable(process.env) : process.env;
  const flags = missing_v8_flags(process.execArgv);
  if (env === process.env && flags.length === 0) return;
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...env, [PARENT_VAR]: String(process.pid) } });
  process.on('SIGINT', () => {});
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  // 9: node's "invalid argument", which it names.
  if (code === 9 && process.env.OMEMU_V8_FLAGS !== undefined) {
    process.stderr.write(`omemu: node refused a flag of OMEMU_V8_FLAGS ('${process.env.OMEMU_V8_FLAGS}'); unset it for omemu's own (${DEFAULT_V8_FLAGS.join(' ')})\n`);
  }
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
}
