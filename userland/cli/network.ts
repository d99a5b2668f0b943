// The network options, one definition for every command that runs a
// network (run, migrate, replay, chaos, cluster): a profile and what may be
// set over it, the partition limit, and the check that infoD's own traffic
// fits on the line.
import type { Command } from 'commander';
import { NS_PER_S } from '../../kernel/time.ts';
import { DEFAULT_PARTITION_LIMIT_NS } from '../../om/pause.ts';
import { infod_min_bandwidth_bps } from '../../net/infod.ts';
import { make_profile, PROFILES, type NetProfile } from '../../net/profiles.ts';
import { numberIn, UsageError } from './usage.ts';

export interface NetworkOpts {
  profile: string;
  bandwidth?: number;
  latency?: number;
  crossTraffic?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** --partition-limit, s (undefined: the default). */
  partitionLimit?: number;
}

/** The default --partition-limit, s. */
export const DEFAULT_PARTITION_LIMIT_S = DEFAULT_PARTITION_LIMIT_NS / NS_PER_S;

/** Add --partition-limit to a command (network_options does; so does cluster). */
export function partition_limit_option(cmd: Command): Command {
  return cmd.option(
    '--partition-limit <s>',
    `how long a migrant pauses while its home or a node holding its pages is out of reach before it is killed, s (default ${DEFAULT_PARTITION_LIMIT_S}; 0: killed as soon as the peer is taken as lost, as openMosix does)`,
    numberIn('--partition-limit', 0, 86400),
  );
}

/** The partition limit the options ask for, ns. */
export const partition_limit_ns = (o: { partitionLimit?: number }): number =>
  o.partitionLimit === undefined ? DEFAULT_PARTITION_LIMIT_NS : Math.round(o.partitionLimit * NS_PER_S);

/** Add the network options to a command. */
export function network_options(cmd: Command): Command {
  return partition_limit_option(cmd)
    .option('--profile <name>', `network profile (${Object.keys(PROFILES).join(', ')})`, 'fast-ethernet')
    .option('--bandwidth <mbps>', 'override the line rate, Mb/s', numberIn('--bandwidth', 0.000001, 100000))
    .option('--latency <ms>', 'override the one-way latency, ms', numberIn('--latency', 0, 10000))
    .option('--cross-traffic <share>', 'background traffic as a share of the line rate', numberIn('--cross-traffic', 0, 0.99))
    .option('--loss <p>', "share of frames each NIC drops (netem's loss)", numberIn('--loss', 0, 0.99))
    .option('--duplicate <p>', "share of frames each NIC sends twice (netem's duplicate)", numberIn('--duplicate', 0, 0.99))
    .option('--reorder <p>', "share of frames sent ahead of the netem delay the others wait (netem's reorder; needs a delay: --latency above 0.06 or --profile broadband)", numberIn('--reorder', 0, 0.99));
}

/** The options as `omemu` flags (for a command line that replays a run). */
export function network_flags(o: NetworkOpts): string[] {
  const f: string[] = o.profile !== 'fast-ethernet' ? ['--profile', o.profile] : [];
  for (const [flag, v] of [['--bandwidth', o.bandwidth], ['--latency', o.latency], ['--cross-traffic', o.crossTraffic], ['--loss', o.loss], ['--duplicate', o.duplicate], ['--reorder', o.reorder]] as const) {
    if (v !== undefined) f.push(flag, String(v));
  }
  if (o.partitionLimit !== undefined && o.partitionLimit !== DEFAULT_PARTITION_LIMIT_S) f.push('--partition-limit', String(o.partitionLimit));
  return f;
}

/** The profile the options describe, for a cluster of `nodes` nodes; a bad one is the user's error. */
export function network_profile(o: NetworkOpts, nodes: number): NetProfile {
  let profile: NetProfile;
  try {
    profile = make_profile(o.profile, { bandwidth_mbps: o.bandwidth, latency_ms: o.latency, cross_traffic: o.crossTraffic, loss: o.loss, duplicate: o.duplicate, reorder: o.reorder });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const min_bps = infod_min_bandwidth_bps(nodes, profile.infod_interval_ns);
  if (profile.bandwidth_bps < min_bps) {
    const need = `infoD's own load updates need at least ${(min_bps / 1e6).toPrecision(2)} Mb/s on ${nodes} nodes (at most half the line)`;
    throw new UsageError(o.bandwidth !== undefined ? `--bandwidth ${o.bandwidth} Mb/s is too low: ${need}` : `--nodes ${nodes}: the ${o.profile} profile's line is too slow: ${need}`);
  }
  return profile;
}
