// The signals the emulator delivers. No user handlers are emulated: every
// signal here takes its default action, which is to end the task.
export const SIGKILL = 9;
export const SIGBUS = 7;
export const SIGSEGV = 11;

// si_code values for SIGSEGV (include/asm-i386/siginfo.h).
export const SEGV_MAPERR = 1; // address not mapped to an object
export const SEGV_ACCERR = 2; // invalid permissions for a mapped object

export interface SigInfo {
  signo: number;
  code: number;
  /** The faulting address (CR2) for SIGSEGV/SIGBUS. */
  addr: number;
}

export function signal_name(signo: number): string {
  return ({ [SIGKILL]: 'SIGKILL', [SIGBUS]: 'SIGBUS', [SIGSEGV]: 'SIGSEGV' } as Record<number, string>)[signo] ?? `signal ${signo}`;
}

import { do_exit } from './syscalls.ts';
import type { Task } from './task.ts';

/** force_sig: deliver a signal; its default action ends the task. */
export function force_sig(task: Task, info: SigInfo): void {
  task.exit_signal = info;
  do_exit(task, 128 + info.signo);
}
