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
// The commands that emulate for long start themselves again, once, with
// glibc's malloc and V8 set for it (userland/relaunch.ts): sweeps and chaos
// run many emulations on worker threads, a cluster one large one. Not `run`:
// most runs are small, and starting twice would double their start-up.
if (['sweep', 'chaos', 'cluster'].includes(process.argv[2] ?? '')) {
  const { relaunch_tuned } = await import('../../dist/userland/relaunch.js');
  await relaunch_tuned();
}
await import('../../dist/omemu.js');
