// The one convention every fast-check property under tests/ follows: its seed
// and its number of runs come from here, never from the property itself.
//
//   FC_SEED=N        the seed of every property (a failure prints the command
//                    that replays it, with its seed)
//   no FC_SEED       a seed derived from the commit under test: CI is
//                    reproducible for a commit and varies from one commit to
//                    the next; without git, from a hash of the source tree
//   FC_NUM_RUNS=X    multiplies every property's number of runs (fast-check's
//                    configureGlobal cannot: a local numRuns overrides it)
//
// The seed is printed once, when the first suite that has properties loads.
// A property keeps a case that once failed as a named regression example
// (fast-check's `examples`, which run before the random cases), never as a
// pinned seed.
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TESTS = join(ROOT, 'tests');

/** The folders whose sources the tests exercise (hashed when there is no git). */
const SOURCE_DIRS = ['kernel', 'mm', 'net', 'om', 'userland', 'tests'];

function tree_hash(): string {
  const h = createHash('sha1');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(name)) h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const d of SOURCE_DIRS) {
    try {
      walk(join(ROOT, d));
    } catch {
      // a folder missing from a partial copy hashes as absent
    }
  }
  return h.digest('hex');
}

/** The commit under test (or, without git, a hash of the source tree) and where it came from. */
export function commit_id(): { id: string; from: string } {
  try {
    const id = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^[0-9a-f]{40,64}$/.test(id)) return { id, from: `commit ${id.slice(0, 12)}` };
  } catch {
    // no git, or not a repository: fall through
  }
  const id = tree_hash();
  return { id, from: `source tree ${id.slice(0, 12)} (no git commit found)` };
}

/** A 31-bit seed from a hex id. */
export const seed_of_id = (id: string): number => parseInt(id.slice(0, 8), 16) & 0x7fffffff;

function parse_env(name: string, v: string | undefined, ok: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!ok(n)) throw new Error(`${name} must be ${what}, got '${v}'`);
  return n;
}

const env_seed = parse_env('FC_SEED', process.env.FC_SEED, (n) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 - 1, 'an integer of at most 31 bits');
const env_mult = parse_env('FC_NUM_RUNS', process.env.FC_NUM_RUNS, (n) => Number.isFinite(n) && n > 0, 'a number above 0 (a multiplier of every property\'s runs)');

const origin = env_seed !== undefined ? { seed: env_seed, from: 'FC_SEED' } : (() => {
  const c = commit_id();
  return { seed: seed_of_id(c.id), from: c.from };
})();

/** The seed every property runs from. */
export const SEED = origin.seed;
/** The factor every property's number of runs is multiplied by. */
export const RUNS_FACTOR = env_mult ?? 1;

process.stdout.write(`\nfast-check: seed ${SEED} (from ${origin.from})${RUNS_FACTOR !== 1 ? `, runs x${RUNS_FACTOR}` : ''}; FC_SEED=${SEED} replays it\n`);

/** A property's number of runs under FC_NUM_RUNS (at least one). */
export const runs = (n: number): number => Math.max(1, Math.round(n * RUNS_FACTOR));

/** Test files by base name, to name a suite as briefly as `make unit T=` can select it alone. */
function suite_names(): Map<string, number> {
  const count = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) count.set(name, (count.get(name) ?? 0) + 1);
    }
  };
  walk(TESTS);
  return count;
}

/** The suite (tests/X.test.ts) that called into this module, as `make unit T=` takes it. */
export function calling_suite(stack = new Error().stack ?? ''): string | null {
  const m = /(?:file:\/\/)?(\/[^\s():]*\/tests\/([^\s():]+)\.test\.ts)/.exec(stack);
  if (!m) return null;
  const rel = m[2]!.split(sep).join('/');
  const base = basename(rel);
  return (suite_names().get(`${base}.test.ts`) ?? 0) > 1 ? rel : base;
}

/** The command that replays a property of `suite` as it just ran. */
export function replay_command(suite: string | null): string {
  const t = suite ? ` T=${suite}` : '';
  return `make unit${t} FC_SEED=${SEED}${RUNS_FACTOR !== 1 ? ` FC_NUM_RUNS=${RUNS_FACTOR}` : ''}`;
}

/** Parameters a property may set: anything but its seed. */
export type PropParams<Ts> = Omit<fc.Parameters<Ts>, 'seed'>;

/** fast-check's parameters under the convention: the shared seed, the runs multiplied. */
export function params<Ts>(p: PropParams<Ts> = {}): fc.Parameters<Ts> {
  return { ...p, seed: SEED, numRuns: runs(p.numRuns ?? 100) };
}

function with_replay(e: unknown, command: string): unknown {
  if (e instanceof Error) e.message += `\nReplay this failure: ${command}`;
  return e;
}

/**
 * fc.assert under the convention; a failure names the command that replays
 * it (`replay` when the suite's own make target is not `make unit`).
 */
export function check<Ts>(prop: fc.IProperty<Ts>, p?: PropParams<Ts>, replay?: string): void {
  const command = replay ?? replay_command(calling_suite());
  try {
    fc.assert(prop, params(p));
  } catch (e) {
    throw with_replay(e, command);
  }
}

/** The same for an asynchronous property. */
export async function check_async<Ts>(prop: fc.IAsyncProperty<Ts>, p?: PropParams<Ts>): Promise<void> {
  const command = replay_command(calling_suite());
  try {
    await fc.assert(prop, params(p));
  } catch (e) {
    throw with_replay(e, command);
  }
}

/** fc.check under the convention (for tests that inspect a run's details, e.g. that a property catches a mutation). */
export function run_details<Ts>(prop: fc.IProperty<Ts>, p?: PropParams<Ts>): fc.RunDetails<Ts> {
  return fc.check(prop, params(p));
}
