// The omemu command line: subcommands are registered by their own files.
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from './usage.ts';
// Static imports, so the bundle (userland/compile.js) is one flat module
// without a lazy initializer around each file.
import * as cmd_run from './cmd_run.ts';
import * as cmd_ampom from './cmd_ampom.ts';
import * as cmd_explain from './cmd_explain.ts';
import * as cmd_proc from './cmd_proc.ts';
import * as cmd_trace from './cmd_trace.ts';
import * as cmd_replay from './cmd_replay.ts';
import * as cmd_chaos from './cmd_chaos.ts';
import * as cmd_sweep from './cmd_sweep.ts';
import * as cmd_cluster from './cmd_cluster.ts';
import * as cmd_bench from './cmd_bench.ts';

const program = new Command();
program
  .name('omemu')
  .description('An emulated openMosix 2.4 cluster with lightweight process migration and the AMPoM prefetcher.')
  .version(pkg.version, '-V, --version', 'print the version of omemu')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const subcommands = [cmd_run, cmd_ampom, cmd_explain, cmd_proc, cmd_trace, cmd_replay, cmd_chaos, cmd_sweep, cmd_cluster, cmd_bench];
for (const c of subcommands) c.register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Help and version exit 0; a bad option or argument is a usage error (2).
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof UsageError) {
    process.stderr.write(`omemu: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
