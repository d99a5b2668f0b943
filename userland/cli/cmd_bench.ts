// `omemu bench diff A B`: compare two bench outputs record by record (the
// bench itself runs as `make bench`).
import type { Command } from 'commander';
import { DiffInputError, diff_outputs, format_diff, load_output, outputs_identical } from '../bench/diff.ts';
import { numberIn, UsageError } from './usage.ts';

export function register(program: Command): void {
  const bench = program.command('bench').description("the bench's outputs (make bench writes them): compare two with `bench diff`");
  bench
    .command('diff')
    .description(
      'compare two bench outputs (bench-out/ directories or results.json files) record by record: results.json runs, ' +
        'cluster.csv points and runs-*/ sweep records, whichever both have; print each field that moved, by how much. ' +
        'Exit 0 when identical, 1 when anything moved.',
    )
    .argument('<A>', 'the first bench output (the baseline)')
    .argument('<B>', 'the second')
    .option('--limit <n>', 'moved records shown a set', numberIn('--limit', 1, 1e9, true), 40)
    .action((a: string, b: string, o: { limit: number }) => {
      let r: ReturnType<typeof diff_outputs>;
      try {
        r = diff_outputs(load_output(a), load_output(b));
      } catch (e) {
        if (e instanceof DiffInputError) throw new UsageError(`bench diff: ${e.message}`);
        throw e;
      }
      process.stdout.write(format_diff(r, o.limit));
      process.exitCode = outputs_identical(r) ? 0 : 1;
    });
}
