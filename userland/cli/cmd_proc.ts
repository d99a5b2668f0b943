// `omemu proc`: run a small program on one node and print its /proc files,
// to see the emulated kernel's view of a process.
import type { Command } from 'commander';
import { Cluster } from '../../kernel/cluster.ts';
import { spawn_program } from '../../mm/exec.ts';
import { seqtouch } from '../programs/seqtouch.ts';
import { numberIn, UsageError } from './usage.ts';

export function register(program: Command): void {
  program
    .command('proc')
    .description('run a sequential-touch program on one node, stop it half-way, and print its /proc files')
    .option('--mib <n>', 'size of the array it touches, MiB', numberIn('--mib', 1, 2048), 8)
    .option('--file <name>', 'which file: maps, status or where (default: all)')
    .action((opts: { mib: number; file?: string }) => {
      const files = opts.file ? [opts.file] : ['maps', 'status', 'where'];
      for (const f of files) {
        if (!['maps', 'status', 'where'].includes(f)) throw new UsageError(`--file must be maps, status or where, got '${f}'`);
      }
      const size_B = Math.round(opts.mib * 1024 * 1024);
      const c = new Cluster({ nodes: 1, mem_B: Math.max(64 << 20, size_B * 2) });
      const t = spawn_program(c, c.node(0), seqtouch.image, seqtouch.program({ size_B, passes: 1 }));
      // Stop half-way through (in virtual time) to look at a live process.
      c.run(seqtouch.estimate_ns({ size_B, passes: 1 }, c.node(0).cpu) / 2);
      for (const f of files) {
        const r = c.procfs.read(c.node(0), `/proc/${t.pid}/${f}`);
        process.stdout.write(`==> /proc/${t.pid}/${f} <==\n${r.ok ? r.text : r.message + '\n'}`);
      }
    });
}
