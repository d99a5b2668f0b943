// The omemu command line as commander defines it: every subcommand, its
// options and help. main.ts parses argv with it; userland/docs/cli_md.ts
// writes docs/cli.md from the same definitions, so the two cannot differ.
import { Command } from 'commander';
import { KLOG_NAMESPACES } from '../../kernel/klog.ts';
import { wrap } from './format.ts';
import { error_line, EXIT_RULE } from './usage.ts';
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

const width = Math.max(...Object.keys(KLOG_NAMESPACES).map((n) => n.length));
/** What --help prints after the commands: the exit rule and the kernel log's namespaces. */
export const AFTER = [
  '',
  ...wrap(EXIT_RULE),
  '',
  ...wrap('Debugging: DEBUG=om:* (or a comma list of namespaces) logs what the emulated kernel does on stderr, each line stamped with its node and virtual time ([node 2 t=12.345678s]):'),
  ...Object.entries(KLOG_NAMESPACES).map(([ns, what]) => `  ${ns.padEnd(width)}  ${what}`),
].join('\n');

/** The whole command line, every subcommand registered, not yet parsed. */
export function build_program(): Command {
  const program = new Command();
  program
    .name('omemu')
    .description('An emulated openMosix 2.4 cluster with lightweight process migration and the AMPoM prefetcher.')
    .option('-V, --version', 'print the version and the build (commit) it was made from')
    .addHelpText('after', AFTER)
    // commander's own errors (an unknown option, a missing argument) as one 'omemu:' line.
    // (commander puts a suggestion on a line of its own: one line, all of it).
    .configureOutput({ outputError: (str, write) => write(error_line(`${str.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)`)) })
    .exitOverride();
  const subcommands = [cmd_run, cmd_ampom, cmd_explain, cmd_proc, cmd_trace, cmd_replay, cmd_chaos, cmd_sweep, cmd_cluster, cmd_bench];
  for (const c of subcommands) c.register(program);
  const with_rule = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.addHelpText('after', ['', ...wrap(EXIT_RULE)].join('\n'));
      with_rule(c);
    }
  };
  with_rule(program);
  return program;
}
