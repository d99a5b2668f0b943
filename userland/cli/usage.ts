// The command line's rules for every command: errors that are the user's
// input are one line, without a stack, starting with 'omemu:'; the exit
// status follows one rule (EXIT_RULE, printed by --help).
import { InvalidArgumentError } from 'commander';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class UsageError extends Error {}

/** Every process completed and verified. */
export const EXIT_OK = 0;
/** A check failed or a process was killed (whatever the reason), or the work could not be finished. */
export const EXIT_FAILED = 1;
/** A usage error: a bad option, argument, or input or output file. */
export const EXIT_USAGE = 2;

/** The rule, as --help states it. */
export const EXIT_RULE =
  `Exit status: ${EXIT_OK} when every process completed and verified (omemu chaos: when every run kept the promise ` +
  `that nothing is lost, which a process killed for a named reason keeps); ${EXIT_FAILED} when a check failed or a ` +
  `process was killed, whatever the reason (omemu chaos: a run broke the promise), or the work could not be ` +
  `finished; ${EXIT_USAGE} for a usage error (a bad option, argument, or input or output file). Every error line ` +
  "starts with 'omemu:'.";

/** An error or note line as every command writes it (on stderr). */
export const error_line = (msg: string): string => `omemu: ${msg}\n`;

/** A note on stderr (not an error: the exit status does not change). */
export const note = (msg: string): void => void process.stderr.write(error_line(`note: ${msg}`));

/** The exit status for work whose every process did (`ok`) or did not complete and verify. */
export function exit_after(ok: boolean): void {
  if (!ok) process.exitCode = EXIT_FAILED;
}

/** A commander argument parser for a number within bounds. */
export function numberIn(name: string, lo: number, hi: number, integer = false): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}, got '${v}'`);
    }
    return n;
  };
}

/**
 * Check before a long run that `path` can be written: its directory exists
 * and is writable (a typo found after minutes of emulation is lost work).
 */
export function check_writable_file(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  let why = '';
  if (!existsSync(dir)) why = `directory ${dir} does not exist`;
  else if (!statSync(dir).isDirectory()) why = `${dir} is not a directory`;
  else if (existsSync(path) && statSync(path).isDirectory()) why = 'it is a directory';
  else {
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      why = `directory ${dir} is not writable`;
    }
  }
  if (why) throw new UsageError(`${flag} ${path}: cannot write there (${why})`);
}

/**
 * Whether a live view (--monitor) may draw: progress and live views go to
 * stderr, and only when it is a terminal; otherwise a note says why not.
 */
export function live_view(flag: string, stderr: { isTTY?: boolean } = process.stderr): boolean {
  if (stderr.isTTY) return true;
  note(`${flag} draws only on a terminal, and stderr is not one: no live view`);
  return false;
}

/**
 * Where a plot goes: --plot FILE writes FILE.svg and FILE.png, as the help
 * says; a FILE that already ends in .svg or .png names the same pair.
 * Checked before anything runs.
 */
export function plot_base(flag: string, file: string): string {
  check_writable_file(flag, file);
  return file.replace(/\.(svg|png)$/, '');
}
