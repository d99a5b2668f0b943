// A sweep's cluster runs (kind 'cluster'): the configuration fields that
// `omemu cluster` takes as flags, turned into a ClusterSpec with the same
// checks, and the record a run leaves (its totals first, so the CSV has
// them as columns; the processes as one JSON cell).
import { infod_min_bandwidth_bps } from '../../net/infod.ts';
import { make_profile } from '../../net/profiles.ts';
import { POLICIES, type Policy } from '../../om/state.ts';
import { run_cluster, type ClusterResult, type ClusterSpec } from '../cluster/run.ts';
import { freemem, totalmem } from 'node:os';
import { BALANCERS, type BalancerName } from '../../om/balance/index.ts';
import { make_workload, parse_job_mib, workload_misfit, WorkloadError, type Job } from '../cluster/workload.ts';
import { MODES, type Mode } from '../hpcc/common.ts';
import { ConfigError, MIGRATION_ONLY, only_fields_of, partition_limit_ns_of, type RunConfig } from './config.ts';

/** Nodes of a cluster run when the configuration does not say. */
export const CLUSTER_NODES = 4;

export type ClusterRecord = Pick<ClusterResult, 'schema'> & ClusterResult['totals'] & Pick<ClusterResult, 'leaked_frames' | 'balance' | 'gossip'> & { process_records: ClusterResult['processes'] };

function speeds_of(v: string | null, nodes: number): number[] {
  if (v === null) return new Array<number>(nodes).fill(1);
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !(x >= 0.05 && x <= 20))) throw new ConfigError(`speeds '${v}': each must be a relative speed from 0.05 to 20`);
  if (xs.length === 1) return new Array<number>(nodes).fill(xs[0]!);
  if (xs.length !== nodes) throw new ConfigError(`speeds '${v}' gives ${xs.length} speeds for ${nodes} nodes (give one, or one a node)`);
  return xs;
}

/** The ClusterSpec of a 'cluster' configuration (ConfigError says what is wrong); cheap, nothing runs. */
export function cluster_spec_of(c: RunConfig): ClusterSpec {
  only_fields_of(c, MIGRATION_ONLY);
  if (!MODES.includes(c.mode as Mode)) throw new ConfigError(`mode must be ${MODES.join(' or ')}, got '${c.mode}'`);
  if (!POLICIES.includes(c.scheme as Policy)) throw new ConfigError(`scheme must be one of ${POLICIES.join(', ')}, got '${c.scheme}'`);
  // The oracle replays a recorded run of one migrant; a cluster's balancers decide afresh each run.
  if (c.scheme === 'oracle') throw new ConfigError("scheme oracle needs a recorded run of the same migration (omemu run, migrate or replay), which a cluster's balancer does not repeat");
  if (!(BALANCERS as readonly string[]).includes(c.balancer)) throw new ConfigError(`balancer must be one of ${BALANCERS.join(', ')}, got '${c.balancer}'`);
  if (!(c.seed >= 0 && c.seed < 2 ** 31)) throw new ConfigError(`seed must be from 0 to 2^31-1, got ${c.seed}`);
  const nodes = c.nodes ?? CLUSTER_NODES;
  if (!(nodes >= 2 && nodes <= 256)) throw new ConfigError(`nodes must be from 2 to 256, got ${nodes}`);
  if (!(c.node_mem_mib >= 16 && c.node_mem_mib <= 4096)) throw new ConfigError(`node_mem_mib must be from 16 to 4096, got ${c.node_mem_mib}`);
  if (!(c.jobs >= 0 && c.jobs <= 100_000)) throw new ConfigError(`jobs must be from 0 to 100000, got ${c.jobs}`);
  if (!(c.rate > 0)) throw new ConfigError(`rate must be more than 0, got ${c.rate}`);
  if (!(c.scale > 0 && c.scale <= 1)) throw new ConfigError(`scale must be more than 0 and at most 1, got ${c.scale}`);
  let profile;
  try {
    profile = make_profile(c.profile, { bandwidth_mbps: c.bandwidth ?? undefined, latency_ms: c.latency ?? undefined });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const min_bps = infod_min_bandwidth_bps(nodes, profile.infod_interval_ns);
  if (profile.bandwidth_bps < min_bps) throw new ConfigError(`bandwidth ${profile.bandwidth_bps / 1e6} Mb/s is below the ${(min_bps / 1e6).toPrecision(2)} Mb/s infoD needs on ${nodes} nodes`);
  const speeds = speeds_of(c.speeds, nodes);
  let jobs: Job[];
  try {
    jobs = make_workload(c.workload, {
      nodes, speeds, jobs: c.jobs, logins: c.logins, rate_per_s: c.rate, scale: c.scale, load: c.load,
      job_mib: c.job_mib === null ? null : parse_job_mib(c.job_mib, 'job_mib'), time_scale: c.time_scale, mode: c.mode as Mode, seed: c.seed,
    });
  } catch (e) {
    if (e instanceof WorkloadError) throw new ConfigError(e.message);
    throw e;
  }
  const misfit = workload_misfit(jobs, c.node_mem_mib, nodes, Math.max(totalmem() * 0.8, freemem()));
  if (misfit) throw new ConfigError(`the workload cannot run: ${misfit}`);
  return {
    nodes, speeds, mem_mib: c.node_mem_mib, jobs, scheme: c.scheme as Policy,
    balancer: c.balancer as BalancerName, threshold: c.balance_threshold, profile, seed: c.seed, partition_limit_ns: partition_limit_ns_of(c),
  };
}

export function run_cluster_config(c: RunConfig): ClusterRecord {
  const r = run_cluster(cluster_spec_of(c));
  return { schema: r.schema, ...r.totals, leaked_frames: r.leaked_frames, balance: r.balance, gossip: r.gossip, process_records: r.processes };
}
