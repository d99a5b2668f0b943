// V8's settings for the commands that emulate for long: the bench, its
// children, sweeps, chaos and clusters. Host speed only: a run's results
// are a function of its configuration and seed, whatever V8 does with its
// threads and heap (`omemu bench diff` of a bench with and without them:
// identical).
//
// By default V8 marks and sweeps its heap and compiles hot code on helper
// threads beside the one that runs JavaScript. On a machine with a core a
// worker (the bench runs one worker thread a core) those threads take cores
// the workers need, and their work is not free: measured on 2 cores, the
// helper threads took a quarter of a bench shard's CPU (42.6 of 172.8 s)
// while running it all on the workers' own threads added 2 s to them
// (--single-threaded: 131.4 s in all, wall 88.7 -> 66.9 s, results
// identical). A larger young generation makes fewer scavenges of the
// garbage every frame and event leaves (the frames and events of a run die
// young).
//
// OMEMU_V8_FLAGS replaces the list (space-separated; empty for none), to
// compare or to let V8 have its helper threads back on a machine with cores
// to spare.

/** The flags, unless OMEMU_V8_FLAGS says otherwise. */
export const DEFAULT_V8_FLAGS = ['--single-threaded', '--max-semi-space-size=64'];

/** The flags a tuned command runs with. */
export function v8_flags(env: NodeJS.ProcessEnv = process.env): string[] {
  const s = env.OMEMU_V8_FLAGS;
  if (s === undefined) return DEFAULT_V8_FLAGS;
  return s.split(/\s+/).filter((f) => f !== '');
}

/** A flag's name: what comes before its '=' (node --max-semi-space-size=32 sets what the list's =64 would). */
const name_of = (flag: string): string => flag.split('=')[0]!;

/** The flags of v8_flags() that node's own arguments (process.execArgv) do not set, with any value. */
export function missing_v8_flags(exec_argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const set = new Set(exec_argv.map(name_of));
  return v8_flags(env).filter((f) => !set.has(name_of(f)));
}
