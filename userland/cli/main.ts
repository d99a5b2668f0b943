// The omemu command line: subcommands are registered by their own files
// (program.ts puts them together). Every error line starts with 'omemu:',
// and the exit status follows one rule (usage.ts's EXIT_RULE, printed at
// the end of --help).
import { CommanderError } from 'commander';
import { version_text } from '../version.ts';
import { build_program } from './program.ts';
import { error_line, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './usage.ts';

// --version before anything else: it needs no subcommand.
if (process.argv[2] === '--version' || process.argv[2] === '-V') {
  process.stdout.write(version_text());
  process.exit(EXIT_OK);
}

const program = build_program();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Help exits 0; a bad option or argument is a usage error.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
  if (e instanceof UsageError) {
    process.stderr.write(error_line(e.message));
    process.exit(EXIT_USAGE);
  }
  // A bug of omemu's own: one 'omemu:' line, then the stack for the report.
  process.stderr.write(error_line(`internal error: ${e instanceof Error ? e.message : String(e)}`));
  if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(EXIT_FAILED);
}
