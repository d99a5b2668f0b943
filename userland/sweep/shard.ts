// Which part of a grid this process runs: shard I of N takes the runs whose
// index modulo N is I. Under a Slurm job array the task chooses the shard.
import { ConfigError } from './config.ts';

export interface Shard {
  index: number;
  count: number;
  /** Where the shard came from, for the log. */
  from: string;
}

export const WHOLE: Shard = { index: 0, count: 1, from: 'no shard' };

export function parse_shard(v: string, name = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw new ConfigError(`${name} must be I/N (shard I of N, counting from 0), got '${v}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new ConfigError(`${name} ${v}: I must be from 0 to N-1 and N at least 1`);
  return { index, count, from: `${name} ${v}` };
}

/**
 * The shard of a Slurm array task, or null outside one. Slurm numbers the
 * tasks as --array says (0-15, 1-16, 0-30:2...); the shard is the task's
 * place among them: (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
 * SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT shards (MIN 0 and STEP 1
 * when unset). A list such as --array=1,4,9 has no such place: an error.
 */
export function slurm_shard(env: NodeJS.ProcessEnv): Shard | null {
  const id_s = env.SLURM_ARRAY_TASK_ID;
  const count_s = env.SLURM_ARRAY_TASK_COUNT;
  if (id_s === undefined || count_s === undefined) return null;
  const int = (name: string, v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v.trim())) throw new ConfigError(`${name} must be a whole number, got '${v}'`);
    return Number(v);
  };
  const id = int('SLURM_ARRAY_TASK_ID', id_s, 0);
  const count = int('SLURM_ARRAY_TASK_COUNT', count_s, 0);
  const min = int('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN, 0);
  const step = Math.max(1, int('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP, 1));
  const index = (id - min) / step;
  const vars = `SLURM_ARRAY_TASK_ID=${id}, MIN=${min}, STEP=${step}, COUNT=${count}`;
  if (count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new ConfigError(`the Slurm array task is not one of COUNT evenly spaced tasks from MIN (${vars}): submit --array=A-B[:S] or pass --shard I/N`);
  }
  return { index, count, from: vars };
}

/** --shard if given, else the Slurm array task's, else the whole grid. */
export function choose_shard(flag: string | undefined, env: NodeJS.ProcessEnv): Shard {
  if (flag !== undefined) return parse_shard(flag);
  return slurm_shard(env) ?? WHOLE;
}

export const in_shard = (index: number, s: Shard): boolean => index % s.count === s.index;
