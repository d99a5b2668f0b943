// Errors that are the user's input, reported as one line without a stack.
import { InvalidArgumentError } from 'commander';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class UsageError extends Error {}

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
