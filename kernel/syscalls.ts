// The system-call table and the calls the kernel itself implements.
//
// Numbers are i386 Linux's (asm-i386/unistd.h). mm/ registers the memory
// calls (mmap, munmap, brk, mprotect) into the same table at load time, the
// way a subsystem fills sys_call_table; om/ can redirect a migrant's calls
// to its deputy through Cluster.syscall_redirect.
import { kdebug } from './klog.ts';
import { EBADF, EFAULT, EINVAL } from './errno.ts';
import { TASK_ZOMBIE, type Task } from './task.ts';
import { NS_PER_US, NS_PER_S } from './time.ts';

const dbg = kdebug('om:syscall');

export const __NR_exit = 1;
export const __NR_write = 4;
export const __NR_getpid = 20;
export const __NR_brk = 45;
export const __NR_gettimeofday = 78;
export const __NR_mmap = 90; // old_mmap, here with its six arguments passed directly
export const __NR_munmap = 91;
export const __NR_mprotect = 125;

/** Returned by a handler whose task must wait for the result (remote call). */
export const SYSCALL_BLOCKED = Symbol('SYSCALL_BLOCKED');
export type SyscallResult = number | typeof SYSCALL_BLOCKED;

export interface SyscallEntry {
  nr: number;
  name: string;
  fn: (task: Task, args: number[]) => SyscallResult;
  /**
   * The user pages a call reads or writes, as encoded refs: the scheduler
   * makes them resident before the call runs (a bad pointer is -EFAULT).
   */
  user_bufs?: (args: number[]) => Uint32Array;
}

export const sys_call_table = new Map<number, SyscallEntry>();

export function register_syscall(ent: SyscallEntry): void {
  sys_call_table.set(ent.nr, ent);
}

/** Encoded refs for every page of [addr, addr+len), R or W. */
export function user_buf_refs(addr: number, len: number, write: boolean): Uint32Array {
  if (len <= 0) return new Uint32Array(0);
  const first = Math.floor(addr / 4096);
  const last = Math.floor((addr + len - 1) / 4096);
  // A pointer outside the 32-bit space is refused before any page is touched.
  if (addr < 0 || last > 0xfffff) return new Uint32Array([(0xfffff << 2) | (write ? 1 : 0)]);
  const out = new Uint32Array(last - first + 1);
  for (let v = first; v <= last; v++) out[v - first] = (v << 2) | (write ? 1 : 0);
  return out;
}

/** do_exit: release the address space and become a zombie. */
export function do_exit(task: Task, code: number): void {
  if (task.state === TASK_ZOMBIE) return;
  dbg(task.node, 'pid %d exits with %d%s', task.pid, code, task.exit_reason ? ` (${task.exit_reason})` : '');
  task.exit_code = code;
  task.state = TASK_ZOMBIE;
  task.exit_ns = task.clock_ns;
  task.op = null;
  if (task.mm) for (const l of task.node.cluster.exit_mm_listeners) l(task);
  task.mm?.exit_mm();
  task.mm = null;
  task.node.cluster.task_exited(task);
}

register_syscall({
  nr: __NR_exit,
  name: 'exit',
  fn: (task, args) => {
    do_exit(task, (args[0] ?? 0) & 0xff);
    return 0;
  },
});

register_syscall({
  nr: __NR_getpid,
  name: 'getpid',
  fn: (task) => task.pid,
});

register_syscall({
  nr: __NR_gettimeofday,
  name: 'gettimeofday',
  // struct timeval { long tv_sec; long tv_usec; } is 8 bytes on i386.
  user_bufs: (args) => ((args[0] ?? 0) === 0 ? new Uint32Array(0) : user_buf_refs(args[0]!, 8, true)),
  fn: (task, args) => {
    const tv = args[0] ?? 0;
    if (tv === 0) return 0;
    if (task.efault) return -EFAULT;
    const t = task.clock_ns;
    const buf = new Uint8Array(8);
    const view = new DataView(buf.buffer);
    view.setInt32(0, Math.floor(t / NS_PER_S), true);
    view.setInt32(4, Math.floor((t % NS_PER_S) / NS_PER_US), true);
    task.mm!.copy_to_user(tv, buf);
    return 0;
  },
});

register_syscall({
  nr: __NR_write,
  name: 'write',
  user_bufs: (args) => user_buf_refs(args[1] ?? 0, Math.min(args[2] ?? 0, 1 << 20), false),
  fn: (task, args) => {
    const [fd = -1, buf = 0, count = 0] = args;
    if (fd !== 1 && fd !== 2) return -EBADF;
    if (count < 0) return -EINVAL;
    if (count === 0) return 0;
    if (task.efault) return -EFAULT;
    const n = Math.min(count, 1 << 20);
    const bytes = task.mm!.copy_from_user(buf, n);
    task.node.cluster.console_write(task, new TextDecoder().decode(bytes));
    return n;
  },
});
