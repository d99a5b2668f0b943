// The one dispatch point from a configuration to its run function. The
// cluster experiments will add their kind here, with their own result.
import { run_experiment, type RunResult } from '../experiment.ts';
import { run_spec_of, type RunConfig } from './config.ts';

export type SweepResult = RunResult;

export function run_config(c: RunConfig): SweepResult {
  switch (c.kind) {
    case 'migration':
      return run_experiment(run_spec_of(c));
  }
}

/** Check a configuration can run (throws ConfigError), without running it. */
export function check_config(c: RunConfig): void {
  switch (c.kind) {
    case 'migration':
      run_spec_of(c);
      return;
  }
}
