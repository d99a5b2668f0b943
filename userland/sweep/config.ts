// One run of a sweep as a plain JSON object (its configuration), its stable
// hash, and the one function that turns it into a RunSpec. A field added
// here with a default leaves every existing hash as it was: the canonical
// form leaves out the fields that hold their default.
import { createHash } from 'node:crypto';
import { infod_min_bandwidth_bps } from '../../net/infod.ts';
import { make_profile } from '../../net/profiles.ts';
import { PAPER_POLICIES, POLICIES, type Policy } from '../../om/state.ts';
import { KERNELS, MMAP_SPACE_B, parse_migrate_at, parse_path } from '../cli/cmd_run.ts';
import type { MigrationPoint, ProgramDef, RunSpec } from '../experiment.ts';
import { FaultSpecError, parse_fault_plan } from '../faults.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { KERNEL_MODELS, with_kernel_model, type KernelModel } from '../hpcc/variants.ts';
import { PRECOPY_RULES } from '../../om/schemes/precopy.ts';
import { DEFAULT_PARTITION_LIMIT_NS } from '../../om/pause.ts';
import { NS_PER_S } from '../../kernel/time.ts';
import { load_trace, OmptError } from '../trace/ompt.ts';
import { DEFAULT_CPI, replay_program, ReplayError } from '../trace/replay.ts';

/** Which run function a configuration is for: one migrating process, or a cluster under a workload (userland/sweep/cluster_config.ts). */
export const KINDS = ['migration', 'cluster'] as const;
export type Kind = (typeof KINDS)[number];

export interface RunConfig {
  kind: Kind;
  kernel: string;
  /** Memory size of the problem, MiB. */
  mib: number;
  /** DGEMM: multiply matrices of this size inside --mib (null: all of it). */
  working_set: number | null;
  mode: string;
  /** seqtouch: passes over the data after setup. */
  passes: number;
  scheme: string;
  profile: string;
  /** Line rate override, Mb/s (null: the profile's). */
  bandwidth: number | null;
  /** One-way latency override, ms (null: the profile's). */
  latency: number | null;
  cross_traffic: number | null;
  /** `omemu run --migrate-at` syntax; null: no migration. */
  migrate_at: string | null;
  /** `omemu run --path` syntax (null: node 1 for one point). */
  path: string | null;
  nodes: number | null;
  /** `omemu run --faults` syntax. */
  faults: string | null;
  /** How long a migrant pauses through a partition before it is killed, s (0: at once, as openMosix). */
  partition_limit: number;
  /** netem shares on every link (null: the profile's). */
  loss: number | null;
  duplicate: number | null;
  reorder: number | null;
  /** Pre-copy's stop rule: xen or legacy. */
  precopy_rule: string;
  /** Which faults feed AMPoM's window: all or remote. */
  ampom_window: string;
  /** Demand first on the wire: on or off (null: the scheme's default). */
  preempt: string | null;
  /** The kernels' timing model: loop (the model), after or blocks (the earlier ones, for ablation). */
  kernel_model: string;
  // Cluster runs (kind 'cluster'; `omemu cluster`'s flags of the same names).
  /** KIND[:ARG]: hpcc-mix, pareto, swf:FILE, csv:FILE (or a CSV file's path). */
  workload: string;
  jobs: number;
  /** Arrivals go to nodes 0..logins-1 (null: hpcc-mix and swf 2, pareto every node its own). */
  logins: number | null;
  /** Mean arrivals a second. */
  rate: number;
  scale: number;
  /** Memory of each node, MiB. */
  node_mem_mib: number;
  /** Relative CPU speeds: one for every node or a comma list (null: all 1). */
  speeds: string | null;
  balancer: string;
  balance_threshold: number;
  /** pareto: offered load; pareto and swf (and hpcc-mix when set): sizes A-B MiB; swf: times multiplied by this. */
  load: number;
  job_mib: string | null;
  time_scale: number;
  seed: number;
}

type FieldType = 'kind' | 'string' | 'number' | 'int' | 'string?' | 'number?' | 'int?';

/**
 * The fields in their documented order: a grid expands with the first field
 * varying slowest and the last (seed) fastest, and the CSV has its config
 * columns in this order.
 */
export const FIELDS: { name: keyof RunConfig; type: FieldType; default: RunConfig[keyof RunConfig]; help: string }[] = [
  { name: 'kind', type: 'kind', default: 'migration', help: `what runs: ${KINDS.join(', ')}` },
  { name: 'kernel', type: 'string', default: 'stream', help: `program (${Object.keys(KERNELS).join(', ')})` },
  { name: 'mib', type: 'number', default: 64, help: 'memory size of the problem, MiB' },
  { name: 'working_set', type: 'number?', default: null, help: 'dgemm: multiply matrices of this size, MiB' },
  { name: 'mode', type: 'string', default: 'fast', help: MODES.join(' or ') },
  { name: 'passes', type: 'int', default: 1, help: 'seqtouch: passes after setup' },
  { name: 'scheme', type: 'string', default: 'ampom', help: `${POLICIES.join(', ')}; all, paper` },
  { name: 'profile', type: 'string', default: 'fast-ethernet', help: 'network profile' },
  { name: 'bandwidth', type: 'number?', default: null, help: 'line rate, Mb/s' },
  { name: 'latency', type: 'number?', default: null, help: 'one-way latency, ms' },
  { name: 'cross_traffic', type: 'number?', default: null, help: 'background traffic, share of the line' },
  { name: 'migrate_at', type: 'string?', default: 'setup_done', help: 'omemu run --migrate-at; null: no migration' },
  { name: 'path', type: 'string?', default: null, help: 'omemu run --path' },
  { name: 'nodes', type: 'int?', default: null, help: 'nodes in the cluster' },
  { name: 'faults', type: 'string?', default: null, help: 'omemu run --faults' },
  { name: 'partition_limit', type: 'number', default: DEFAULT_PARTITION_LIMIT_NS / NS_PER_S, help: 'how long a migrant pauses through a partition before it is killed, s (0: at once)' },
  { name: 'loss', type: 'number?', default: null, help: 'netem loss share on every link' },
  { name: 'duplicate', type: 'number?', default: null, help: 'netem duplicate share' },
  { name: 'reorder', type: 'number?', default: null, help: 'netem reorder share' },
  { name: 'precopy_rule', type: 'string', default: 'xen', help: "pre-copy's stop rule: xen or legacy" },
  { name: 'ampom_window', type: 'string', default: 'all', help: "faults that feed AMPoM's window: all or remote" },
  { name: 'preempt', type: 'string?', default: null, help: "demand first on the wire: on or off (null: the scheme's default)" },
  { name: 'kernel_model', type: 'string', default: 'loop', help: "the kernels' timing: loop, after or blocks (ablation)" },
  { name: 'workload', type: 'string', default: 'hpcc-mix', help: 'cluster: hpcc-mix, pareto, swf:FILE or csv:FILE (a plain path is a CSV file)' },
  { name: 'jobs', type: 'int', default: 20, help: 'cluster: how many processes (hpcc-mix, pareto) or jobs (swf; 0: all)' },
  { name: 'logins', type: 'int?', default: null, help: 'cluster: arrivals go to nodes 0..logins-1 (default: hpcc-mix and swf 2, pareto every node)' },
  { name: 'rate', type: 'number', default: 1, help: 'cluster, hpcc-mix: mean arrivals a second' },
  { name: 'scale', type: 'number', default: 0.1, help: "cluster, hpcc-mix: sizes are Table 1's range times this" },
  { name: 'node_mem_mib', type: 'int', default: 1024, help: 'cluster: memory of each node, MiB' },
  { name: 'speeds', type: 'string?', default: null, help: 'cluster: relative CPU speeds, one or one a node' },
  { name: 'balancer', type: 'string', default: 'mosix', help: 'cluster: off, birth, mosix or hbd' },
  { name: 'balance_threshold', type: 'number', default: 0, help: "cluster: the balancer's aggressiveness" },
  { name: 'load', type: 'number', default: 0.8, help: "cluster, pareto: offered load, share of the cluster's capacity" },
  { name: 'job_mib', type: 'string?', default: null, help: 'cluster: process sizes A-B MiB (pareto, swf; default 4-64)' },
  { name: 'time_scale', type: 'number', default: 1, help: 'cluster, swf: submit and run times multiplied by this' },
  { name: 'seed', type: 'int', default: 1, help: 'seed of every random choice' },
];

/** Fields that only a cluster run reads (a migration run must leave them at their defaults), and those only a migration run reads. */
export const CLUSTER_ONLY: (keyof RunConfig)[] = ['workload', 'jobs', 'logins', 'rate', 'scale', 'node_mem_mib', 'speeds', 'balancer', 'balance_threshold', 'load', 'job_mib', 'time_scale'];
export const MIGRATION_ONLY: (keyof RunConfig)[] = [
  'kernel', 'mib', 'working_set', 'passes', 'cross_traffic', 'migrate_at', 'path', 'faults', 'loss', 'duplicate', 'reorder', 'precopy_rule', 'ampom_window', 'preempt', 'kernel_model',
];

/** A field set away from its default that this kind of run would ignore is an error, not a silent no-op. */
export function only_fields_of(c: RunConfig, foreign: (keyof RunConfig)[]): void {
  const set = foreign.filter((k) => c[k] !== CONFIG_DEFAULTS[k]);
  if (set.length > 0) throw new ConfigError(`${set.join(', ')} ${set.length === 1 ? 'does' : 'do'} not apply to a ${c.kind} run`);
}

export const CONFIG_DEFAULTS = Object.fromEntries(FIELDS.map((f) => [f.name, f.default])) as unknown as RunConfig;

/** The paper's three schemes (`--scheme paper`); `all` is every scheme om/ knows. */
export const PAPER_SCHEMES: Policy[] = PAPER_POLICIES;

export class ConfigError extends Error {}

function type_ok(t: FieldType, v: unknown): boolean {
  if (v === null) return t.endsWith('?');
  switch (t.replace('?', '')) {
    case 'kind':
      return KINDS.includes(v as Kind);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeof v === 'number' && Number.isInteger(v);
  }
}

const type_name: Record<FieldType, string> = {
  kind: `one of ${KINDS.join(', ')}`,
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  'string?': 'a string or null',
  'number?': 'a number or null',
  'int?': 'an integer or null',
};

/** A full configuration from a partial one: names and types checked, defaults filled in. */
export function normalize(partial: Record<string, unknown>): RunConfig {
  const out = { ...CONFIG_DEFAULTS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    const f = FIELDS.find((x) => x.name === k);
    if (!f) throw new ConfigError(`unknown field '${k}' (known: ${FIELDS.map((x) => x.name).join(', ')})`);
    if (!type_ok(f.type, v)) throw new ConfigError(`${k} must be ${type_name[f.type]}, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  const c = out as unknown as RunConfig;
  // The same run, one way of writing it: a working set of the whole allocation is none.
  if (c.working_set === c.mib) c.working_set = null;
  return c;
}

/** JSON with sorted keys and the default-valued fields left out: what the hash is of. */
export function canonical_json(c: RunConfig): string {
  const keys = Object.keys(c).filter((k) => c[k as keyof RunConfig] !== CONFIG_DEFAULTS[k as keyof RunConfig]).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, c[k as keyof RunConfig]])));
}

/** 64 bits of SHA-256 of the canonical JSON, hex: the key of a run's record. */
export const config_hash = (c: RunConfig): string => createHash('sha256').update(canonical_json(c)).digest('hex').slice(0, 16);

/** A config with its fields in the documented order (what a record carries). */
export const ordered = (c: RunConfig): RunConfig => Object.fromEntries(FIELDS.map((f) => [f.name, c[f.name]])) as unknown as RunConfig;

/** A short name of a run for progress lines and errors: the fields away from their defaults. */
export function describe(c: RunConfig): string {
  const always = c.kind === 'cluster' ? ['kind', 'scheme'] : ['kernel', 'scheme'];
  return FIELDS.filter((f) => (f.name !== 'kind' || c.kind !== 'migration') && (c[f.name] !== f.default || always.includes(f.name)))
    .map((f) => `${f.name}=${c[f.name]}`)
    .join(' ');
}

/** The partition limit of a configuration, ns (a bad one is a ConfigError). */
export function partition_limit_ns_of(c: RunConfig): number {
  if (!(c.partition_limit >= 0 && c.partition_limit <= 86400)) throw new ConfigError(`partition_limit must be from 0 to 86400 s, got ${c.partition_limit}`);
  return Math.round(c.partition_limit * NS_PER_S);
}

/** Host memory a node is given: the problem plus a quarter and 64 MiB, at least 64 MiB. */
/** What `omemu replay` gives a trace's nodes (userland/cli/cmd_replay.ts), so that a sweep's replay is the command's. */
export const replay_node_mem_B = (footprint_B: number): number => Math.max(256 << 20, Math.ceil(footprint_B * 1.25 + (64 << 20)));

function node_mem_B(used_B: number): number {
  return Math.max(64 << 20, Math.ceil((used_B / 2 ** 20) * 1.25 + 64) << 20);
}

/**
 * The RunSpec of a 'migration' configuration, with every check `omemu run`
 * makes on the same flags (ConfigError says what is wrong). Building it is
 * cheap (the program does not start), so a sweep checks all its runs first.
 */
/** A trace replayed as the program (kernel 'trace:FILE', as `omemu replay FILE` runs it); its own size, not mib. */
const TRACE_KERNEL = /^trace:(.+)$/;

function trace_program(file: string): ProgramDef & { layout: { footprint_pages: number } } {
  try {
    const t = load_trace(file);
    const cpi = t.header.cpi !== undefined && Number(t.header.cpi) > 0 ? Number(t.header.cpi) : DEFAULT_CPI;
    return replay_program(t, { cpi });
  } catch (e) {
    if (e instanceof OmptError || e instanceof ReplayError) throw new ConfigError(`kernel 'trace:${file}': ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError(`kernel 'trace:${file}': no such file`);
    throw e;
  }
}

export function run_spec_of(c: RunConfig): RunSpec {
  only_fields_of(c, CLUSTER_ONLY);
  const trace = TRACE_KERNEL.exec(c.kernel)?.[1];
  const mk = trace === undefined ? KERNELS[c.kernel] : undefined;
  if (!mk && trace === undefined) throw new ConfigError(`kernel '${c.kernel}' is not known (known: ${Object.keys(KERNELS).join(', ')}, or trace:FILE)`);
  if (!MODES.includes(c.mode as Mode)) throw new ConfigError(`mode must be ${MODES.join(' or ')}, got '${c.mode}'`);
  if (!POLICIES.includes(c.scheme as Policy)) throw new ConfigError(`scheme must be one of ${POLICIES.join(', ')}, got '${c.scheme}'`);
  if (trace === undefined && !(c.mib > 0)) throw new ConfigError(`mib must be more than 0, got ${c.mib}`);
  if (!(c.seed >= 0 && c.seed < 2 ** 31)) throw new ConfigError(`seed must be from 0 to 2^31-1, got ${c.seed}`);
  if (!KERNEL_MODELS.includes(c.kernel_model as KernelModel)) throw new ConfigError(`kernel_model must be ${KERNEL_MODELS.join(', ')}, got '${c.kernel_model}'`);
  const rule = PRECOPY_RULES[c.precopy_rule];
  if (!rule) throw new ConfigError(`precopy_rule must be ${Object.keys(PRECOPY_RULES).join(' or ')}, got '${c.precopy_rule}'`);
  if (c.ampom_window !== 'all' && c.ampom_window !== 'remote') throw new ConfigError(`ampom_window must be all or remote, got '${c.ampom_window}'`);
  if (c.preempt !== null && c.preempt !== 'on' && c.preempt !== 'off') throw new ConfigError(`preempt must be on, off or null (the scheme's default), got '${c.preempt}'`);
  let program: ProgramDef;
  let used_B: number;
  if (trace !== undefined) {
    const p = trace_program(trace);
    program = p;
    used_B = p.layout.footprint_pages * 4096;
  } else {
    try {
      program = with_kernel_model(mk!({ mib: c.mib, passes: c.passes, mode: c.mode as Mode, working_set_mib: c.working_set ?? undefined }), c.kernel_model as KernelModel);
    } catch (e) {
      if (e instanceof RangeError) throw new ConfigError(e.message);
      throw e;
    }
    used_B = program.size?.used_B ?? c.mib * 2 ** 20;
  }
  if (used_B > MMAP_SPACE_B) throw new ConfigError(`mib ${c.mib}: ${c.kernel} would map more than an i386 process can`);
  let points: MigrationPoint[] = [];
  try {
    if (c.migrate_at !== null) {
      const ats = parse_migrate_at(c.migrate_at, program.marks ?? []);
      const path = parse_path(c.path ?? (ats.length === 1 ? '1' : ''), ats.length);
      points = ats.map((at, i) => ({ at, to: path[i]! }));
    } else if (c.path !== null) throw new ConfigError('path needs a migration (migrate_at is null)');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError((e as Error).message);
  }
  const needed = Math.max(2, ...points.map((p) => p.to + 1));
  const nodes = c.nodes ?? needed;
  if (nodes < needed || nodes > 256) throw new ConfigError(`nodes ${nodes}: the path needs ${needed} to 256`);
  let faults;
  try {
    faults = c.faults === null ? undefined : parse_fault_plan(c.faults, nodes);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new ConfigError(e.message);
    throw e;
  }
  let profile;
  try {
    profile = make_profile(c.profile, {
      bandwidth_mbps: c.bandwidth ?? undefined, latency_ms: c.latency ?? undefined, cross_traffic: c.cross_traffic ?? undefined,
      loss: c.loss ?? undefined, duplicate: c.duplicate ?? undefined, reorder: c.reorder ?? undefined,
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const min_bps = infod_min_bandwidth_bps(nodes, profile.infod_interval_ns);
  if (profile.bandwidth_bps < min_bps) {
    throw new ConfigError(`bandwidth ${profile.bandwidth_bps / 1e6} Mb/s is below the ${(min_bps / 1e6).toPrecision(2)} Mb/s infoD needs on ${nodes} nodes`);
  }
  return {
    program, scheme: c.scheme as Policy, profile, seed: c.seed, node_mem_B: trace === undefined ? node_mem_B(used_B) : replay_node_mem_B(used_B), nodes, migrations: points, faults,
    precopy_rule: rule, ampom_window: c.ampom_window as 'all' | 'remote', partition_limit_ns: partition_limit_ns_of(c),
    ...(c.preempt === null ? {} : { preempt: c.preempt === 'on' }),
  };
}

/**
 * Host seconds a unit of config_weight takes on one idle core of the
 * machines this was measured on (2-core VMs: 2.5-18 s per unit over the
 * kernels at 16-64 MiB, the smaller runs dearer for their start-up), for
 * the rough estimate `omemu sweep` prints before it starts.
 */
export const HOST_S_PER_WEIGHT = 6;

/** A rough relative host cost of a run, to start the longest first and weigh the ETA. */
export function config_weight(c: RunConfig): number {
  if (c.kind === 'cluster') return (c.workload === 'hpcc-mix' ? c.jobs * c.scale * 20 : c.jobs * 0.2 * (c.nodes ?? 4)) * (c.mode === 'exact' ? 50 : 1);
  const per_mib: Record<string, number> = { dgemm: 0.02, stream: 0.01, randomaccess: 0.04, fft: 0.005, seqtouch: 0.005 };
  const ws = c.working_set ?? c.mib;
  const work = c.kernel === 'dgemm' ? ws ** 1.5 / 24 : ws;
  return (work * (per_mib[c.kernel] ?? 0.01) + c.mib * 0.004) * (c.mode === 'exact' ? 50 : 1);
}
