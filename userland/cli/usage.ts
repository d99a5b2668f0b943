// Errors that are the user's input, reported as one line without a stack.
import { InvalidArgumentError } from 'commander';

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
