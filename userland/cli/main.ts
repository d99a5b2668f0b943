// The omemu command line: subcommands are registered by their own files.
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from './usage.ts';

const program = new Command();
program
  .name('omemu')
  .description('An emulated openMosix 2.4 cluster with lightweight process migration and the AMPoM prefetcher.')
  .version(pkg.version, '-V, --version', 'print the version of omemu')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const subcommands = [
  await import('./cmd_run.ts'),
  await import('./cmd_ampom.ts'),
  await import('./cmd_explain.ts'),
  await import('./cmd_proc.ts'),
  await import('./cmd_trace.ts'),
  await import('./cmd_replay.ts'),
  await import('./cmd_chaos.ts'),
  await import('./cmd_sweep.ts'),
  await import('./cmd_cluster.ts'),
  await import('./cmd_bench.ts'),
];
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
