// A sweep's grid: one or more blocks, each mapping a config field to a value
// or a list of values, expanded into runs in a fixed order.
//
// The order (documented in the README): blocks in the order given; within a
// block, the cartesian product over the fields in FIELDS order (kind, kernel,
// mib, working_set, mode, passes, scheme, profile, bandwidth, latency,
// cross_traffic, migrate_at, path, nodes, faults, seed), the first varying
// slowest and seed fastest, each field's values in the order written. A run
// that appears again (same hash) keeps its first place. `scheme: "all"` is
// every scheme om/ knows (POLICIES, in its order), `"paper"` the paper's three.
import { readFileSync } from 'node:fs';
import { POLICIES, type Policy } from '../../om/state.ts';
import { ConfigError, config_hash, describe, FIELDS, normalize, PAPER_SCHEMES, type RunConfig } from './config.ts';
import { check_config } from './run.ts';

export type GridBlock = Record<string, unknown>;

export interface PlannedRun {
  /** Place in the expanded grid (shards take index modulo N). */
  index: number;
  hash: string;
  config: RunConfig;
}

/** What "all" schemes are for a block: a cluster cannot run the oracle (it replays a recorded run of one migrant). */
const all_schemes = (kind: unknown): Policy[] => (kind === 'cluster' ? POLICIES.filter((p) => p !== 'oracle') : POLICIES);

function values_of(field: string, v: unknown, kind: unknown): unknown[] {
  const xs = Array.isArray(v) ? v : [v];
  if (xs.length === 0) throw new ConfigError(`field '${field}' lists no values`);
  if (field !== 'scheme') return xs;
  return xs.flatMap((s) => (s === 'all' ? all_schemes(kind) : s === 'paper' ? PAPER_SCHEMES : [s]));
}

/** Expand blocks into runs (see the order above); every run is checked before anything runs. */
export function expand_grid(blocks: GridBlock[], where = 'grid'): PlannedRun[] {
  const out: PlannedRun[] = [];
  const seen = new Set<string>();
  blocks.forEach((block, b) => {
    const at = blocks.length > 1 ? `${where}, block ${b + 1}` : where;
    if (block === null || typeof block !== 'object' || Array.isArray(block)) throw new ConfigError(`${at}: a block must be an object of field: value(s)`);
    for (const k of Object.keys(block)) {
      if (!FIELDS.some((f) => f.name === k)) throw new ConfigError(`${at}: unknown field '${k}' (known: ${FIELDS.map((f) => f.name).join(', ')})`);
    }
    const axes = FIELDS.filter((f) => f.name in block).map((f) => ({ name: f.name, values: values_of(f.name, block[f.name], block.kind) }));
    const idx = axes.map(() => 0);
    for (;;) {
      const partial = Object.fromEntries(axes.map((a, i) => [a.name, a.values[idx[i]!]]));
      let config: RunConfig;
      try {
        config = normalize(partial);
      } catch (e) {
        throw new ConfigError(`${at}: ${(e as Error).message}`);
      }
      const hash = config_hash(config);
      if (!seen.has(hash)) {
        seen.add(hash);
        try {
          check_config(config);
        } catch (e) {
          if (e instanceof ConfigError) throw new ConfigError(`${at}: run ${out.length} (${describe(config)}): ${e.message}`);
          throw e;
        }
        out.push({ index: out.length, hash, config });
      }
      // Odometer: the last axis turns fastest.
      let i = axes.length - 1;
      while (i >= 0 && ++idx[i]! === axes[i]!.values.length) idx[i--] = 0;
      if (i < 0) break;
    }
  });
  return out;
}

/**
 * A grid with runs added (omemu sweep --extend): the old runs keep their
 * places, so their records stay valid in every shard's file, and the new
 * ones it does not hold yet follow in their own order.
 */
export function extend_grid(old: PlannedRun[], add: PlannedRun[]): PlannedRun[] {
  const have = new Set(old.map((r) => r.hash));
  const more = add.filter((r) => !have.has(r.hash));
  return [...old, ...more.map((r, i) => ({ ...r, index: old.length + i }))];
}

/** A grid file: one block (a JSON object) or a list of blocks. */
export function read_grid_file(path: string): PlannedRun[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--grid ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--grid ${path}: not JSON (${(e as Error).message})`);
  }
  return expand_grid(Array.isArray(json) ? json : [json], path);
}
