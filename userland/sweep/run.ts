// The one dispatch point from a configuration to its run function.
import { run_experiment, type RunResult } from '../experiment.ts';
import { cluster_spec_of, run_cluster_config, type ClusterRecord } from './cluster_config.ts';
import { run_spec_of, type RunConfig } from './config.ts';

export type SweepResult = RunResult | ClusterRecord;

export function run_config(c: RunConfig): SweepResult {
  switch (c.kind) {
    case 'migration':
      return run_experiment(run_spec_of(c));
    case 'cluster':
      return run_cluster_config(c);
  }
}

/** Check a configuration can run (throws ConfigError), without running it. */
export function check_config(c: RunConfig): void {
  switch (c.kind) {
    case 'migration':
      run_spec_of(c);
      return;
    case 'cluster':
      cluster_spec_of(c);
      return;
  }
}
