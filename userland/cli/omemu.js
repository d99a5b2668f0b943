#!/usr/bin/env node
// Entry point of the `omemu` command: the compiled command line
// (dist/omemu.js, see userland/compile.js), rebuilt first when a source is
// newer than it, so an edited source is what runs.
import { ensure_built } from '../compile.js';

try {
  await ensure_built((msg) => process.stderr.write(`omemu: ${msg}\n`));
} catch (e) {
  process.stderr.write(`omemu: cannot build dist/ from the sources: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
// The commands that run many emulations in one process, on worker threads,
// keep glibc from holding on to their frames (userland/malloc_env.ts).
if (['sweep', 'chaos'].includes(process.argv[2] ?? '')) {
  const { relaunch_with_mmap_threshold } = await import('../../dist/userland/malloc_env.js');
  await relaunch_with_mmap_threshold();
}
await import('../../dist/omemu.js');
