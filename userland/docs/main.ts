// make docs: docs/cli.md from the command line's definitions, and every
// generated block of README.md and docs/*.md from its generator. make
// docs-figures (--from-bench DIR) first takes a `make bench` run's results
// and figures into docs/data/ and docs/img/. --check writes nothing and
// exits 1 naming what is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { take_from_bench } from './bench_data.ts';
import { doc_files, fill_blocks, ROOT } from './blocks.ts';
import { cli_md } from './cli_md.ts';
import { generate } from './generators.ts';

const o = new Command()
  .name('docs')
  .description('regenerate docs/cli.md and the generated blocks of README.md and docs/*.md')
  .option('--from-bench <dir>', "first copy a make bench run's results and figures from DIR into docs/data/ and docs/img/")
  .option('--check', 'write nothing: exit 1 and name every file that is not what make docs would write')
  .parse()
  .opts<{ fromBench?: string; check?: boolean }>();

try {
  if (o.fromBench) {
    const s = take_from_bench(o.fromBench);
    console.log(`docs: took ${s.runs.length} records, ${s.cluster.length} cluster points and the figures from ${o.fromBench} (measured ${s.timing.date})`);
  }
  const stale: string[] = [];
  const write = (file: string, text: string): void => {
    const p = join(ROOT, file);
    let old = '';
    try {
      old = readFileSync(p, 'utf8');
    } catch {}
    if (old === text) return;
    stale.push(file);
    if (!o.check) writeFileSync(p, text);
  };
  write('docs/cli.md', cli_md());
  for (const f of doc_files()) {
    if (f === 'docs/cli.md') continue;
    write(f, await fill_blocks(readFileSync(join(ROOT, f), 'utf8'), f, generate));
  }
  if (o.check) {
    for (const f of stale) console.error(`docs: ${f} is stale (make docs)`);
    process.exit(stale.length ? 1 : 0);
  }
  console.log(stale.length ? `docs: wrote ${stale.join(', ')}` : 'docs: every file was up to date');
} catch (e) {
  console.error(`docs: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
