// `omemu trace from-lackey` and `omemu trace from-kernel`: write ompt traces.
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { count_instructions, from_lackey, open_input } from '../trace/lackey.ts';
import { trace_from_program } from '../trace/synth.ts';
import { KERNEL_NAMES, make_kernel } from './kernels.ts';
import { check_writable_file, error_line, EXIT_FAILED, numberIn, UsageError } from './usage.ts';

/** Where output goes: a file (gzip when it ends in .gz) or stdout; abandon() removes a half-written file. */
function open_output(path: string | undefined): { out: Writable; done: () => Promise<void>; abandon: () => void } {
  if (!path || path === '-') return { out: process.stdout, done: async () => {}, abandon: () => {} };
  check_writable_file('-o', path);
  const file = createWriteStream(path);
  file.on('error', (e) => {
    // A place that was writable a moment ago (a full disk): not the user's usage.
    process.stderr.write(error_line(`cannot write ${path}: ${e.message}`));
    process.exit(EXIT_FAILED);
  });
  const abandon = (): void => {
    file.destroy();
    rmSync(path, { force: true });
  };
  if (!path.endsWith('.gz')) return { out: file, done: async () => { file.end(); await once(file, 'finish'); }, abandon };
  const gz = createGzip();
  gz.pipe(file);
  return { out: gz, done: async () => { gz.end(); await once(file, 'finish'); }, abandon };
}

/** A read error of the input as the user's problem: which file, and what was wrong with it. */
function input_error(path: string, e: unknown): UsageError {
  const err = e as NodeJS.ErrnoException;
  const gzip = err.code?.startsWith('Z_') || /unexpected end of file|incorrect header check|invalid/.test(err.message);
  return new UsageError(`${path === '-' ? 'stdin' : path}: ${gzip ? 'truncated or corrupt gzip data' : 'cannot read'} (${err.code ?? err.message})`);
}

interface LackeyCliOpts {
  migrateAt?: number;
  migrateAtFraction?: number;
  firstTouch?: boolean;
  output?: string;
}

async function do_from_lackey(input: string | undefined, o: LackeyCliOpts): Promise<void> {
  const path = input ?? '-';
  if (o.migrateAt !== undefined && o.migrateAtFraction !== undefined) throw new UsageError('give --migrate-at or --migrate-at-fraction, not both');
  if (path !== '-') {
    try {
      if (!statSync(path).isFile()) throw new UsageError(`${path} is not a file`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let migrate_at = o.migrateAt;
  if (migrate_at === undefined) {
    const f = o.migrateAtFraction ?? 0.5;
    if (path === '-') throw new UsageError('--migrate-at-fraction (the default, 0.5) needs a file to count instructions first; with stdin give --migrate-at ICOUNT');
    let total: number;
    try {
      total = await count_instructions(open_input(path));
    } catch (e) {
      throw input_error(path, e);
    }
    migrate_at = Math.floor(f * total);
  }
  const { out, done, abandon } = open_output(o.output);
  const t0 = performance.now();
  let st;
  try {
    st = await from_lackey(open_input(path), out, { migrate_at, first_touch: o.firstTouch, source: 'lackey' });
  } catch (e) {
    abandon();
    throw input_error(path, e);
  }
  await done();
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(
    `trace from-lackey: ${st.lines} lines (${st.trace_lines} trace, ${st.skipped_lines} skipped), ${st.instructions} instructions, ` +
      `migrate at ${migrate_at}${st.migrated && st.instructions > migrate_at ? '' : ' (at the end: the trace is shorter)'}, ` +
      `${st.pre_pages} pre pages, ${st.refs_written} references written, ${(st.bytes / 1e6 / Math.max(s, 1e-9)).toFixed(1)} MB/s\n`,
  );
}

interface KernelTraceOpts {
  kernel: string;
  mib: number;
  passes: number;
  output?: string;
}

async function do_from_kernel(o: KernelTraceOpts): Promise<void> {
  const program = make_kernel(o.kernel, { mib: o.mib, passes: o.passes, mode: 'fast' });
  // Before the run: a typo in -o found after it is lost work.
  const { out, done } = open_output(o.output);
  out.write(trace_from_program(program, o.kernel));
  await done();
}

export function register(program: Command): void {
  const trace = program.command('trace').description('write page traces (ompt v1) from valgrind lackey logs or omemu\'s own kernels');
  trace
    .command('from-lackey')
    .description('convert `valgrind --tool=lackey --trace-mem=yes` output to ompt, streaming')
    .argument('[lackey.log]', "lackey's output ('-' or nothing: stdin)")
    .option('--migrate-at <icount>', 'migrate before this instruction (0-based count of fetches)', numberIn('--migrate-at', 0, Number.MAX_SAFE_INTEGER, true))
    .option('--migrate-at-fraction <f>', 'migrate this far into the run, by instructions (default 0.5; needs a file)', numberIn('--migrate-at-fraction', 0, 1))
    .option('--first-touch', 'keep only the first reference to each page after migration (firsttouch=1; same replay)')
    .option('-o, --output <file>', 'write here (.gz: gzip) instead of stdout')
    .action((input: string | undefined, o: LackeyCliOpts) => do_from_lackey(input, o));
  trace
    .command('from-kernel')
    .description("trace one of omemu's programs (fast mode) from its setup_done mark: its VMAs, its times to the bit and where its operations end, so the replay is the program's own run")
    .requiredOption('--kernel <name>', KERNEL_NAMES.join(', '))
    .option('--mib <n>', 'memory size of the problem, MiB', numberIn('--mib', 0.001, 3000), 4)
    .option('--passes <n>', 'passes over the data after setup (seqtouch only)', numberIn('--passes', 0, 1000, true), 1)
    .option('-o, --output <file>', 'write here (.gz: gzip) instead of stdout')
    .action((o: KernelTraceOpts) => do_from_kernel(o));
}
