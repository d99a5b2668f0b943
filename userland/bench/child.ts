// How the bench starts a script of its own in a child process (bench-micro's
// 575 MiB runs, make profile's runs): the compiled twin when this file runs
// compiled (dist/, see userland/compile.js), else the source under tsx.
import { fileURLToPath } from 'node:url';
import { v8_flags } from '../v8_flags.ts';

const COMPILED = import.meta.url.endsWith('.js');

/**
 * Node's arguments before the script's own, for a script named by its
 * source URL (new URL('./x.ts', import.meta.url)): with V8 set as the
 * bench's workers are (v8_flags.ts), so a child measures what they cost.
 */
export function script_argv(src: URL): string[] {
  const path = fileURLToPath(src);
  return [...v8_flags(), ...(COMPILED ? [path.replace(/\.ts$/, '.js')] : ['--import', 'tsx', path])];
}

/** The omemu command of this tree (userland/cli/omemu.js, which runs the compiled bundle). */
export const OMEMU_JS = fileURLToPath(new URL(COMPILED ? '../../../userland/cli/omemu.js' : '../cli/omemu.js', import.meta.url));
