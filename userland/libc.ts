// What a program uses to talk to the kernel: syscall ops and reference batches.
import type { RefsOp, SyscallOp } from '../kernel/op.ts';
import { REF_R, REF_W, REF_X, ref } from '../kernel/op.ts';
import {
  __NR_brk, __NR_exit, __NR_getpid, __NR_gettimeofday, __NR_mmap, __NR_munmap, __NR_mprotect, __NR_write,
} from '../kernel/syscalls.ts';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../mm/mmap.ts';
import { PAGE_SIZE } from '../mm/pgtable.ts';

export { REF_R, REF_W, REF_X };

export const syscall = (nr: number, ...args: number[]): SyscallOp => ({ kind: 'sys', nr, args });
export const sys_mmap = (addr: number, len: number, prot: number, flags: number, fd = -1, off = 0): SyscallOp =>
  syscall(__NR_mmap, addr, len, prot, flags, fd, off);
export const sys_munmap = (addr: number, len: number): SyscallOp => syscall(__NR_munmap, addr, len);
export const sys_mprotect = (addr: number, len: number, prot: number): SyscallOp => syscall(__NR_mprotect, addr, len, prot);
export const sys_brk = (brk: number): SyscallOp => syscall(__NR_brk, brk);
export const sys_getpid = (): SyscallOp => syscall(__NR_getpid);
export const sys_gettimeofday = (tv: number): SyscallOp => syscall(__NR_gettimeofday, tv, 0);
export const sys_write = (fd: number, buf: number, count: number): SyscallOp => syscall(__NR_write, fd, buf, count);
export const sys_exit = (code: number): SyscallOp => syscall(__NR_exit, code);

/** An anonymous private read-write mapping, as malloc does above 128 KiB. */
export const mmap_anon = (len: number): SyscallOp => sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);

/**
 * A reusable batch of page references. Programs fill it, yield it, and the
 * kernel consumes it before the generator resumes.
 */
export class RefBatch {
  readonly op: RefsOp;
  constructor(capacity = 1024) {
    this.op = { kind: 'refs', refs: new Uint32Array(capacity), n: 0, cls: 0, units: 0 };
  }
  reset(cls = 0, units = 0): this {
    this.op.n = 0;
    this.op.cls = cls;
    this.op.units = units;
    this.op.work = undefined;
    this.op.esp = undefined;
    return this;
  }
  /** Add a reference to the page holding addr (kind R, W or X). */
  add(addr: number, kind: number): this {
    const op = this.op;
    if (op.n === op.refs.length) {
      const grown = new Uint32Array(op.refs.length * 2);
      grown.set(op.refs);
      op.refs = grown;
    }
    op.refs[op.n++] = ref(Math.floor(addr / PAGE_SIZE), kind);
    return this;
  }
  /** Append count encoded references (a precomputed run of refs). */
  extend(refs: Uint32Array, count: number): this {
    const op = this.op;
    if (op.n + count > op.refs.length) {
      const grown = new Uint32Array(Math.max(op.refs.length * 2, op.n + count));
      grown.set(op.refs.subarray(0, op.n));
      op.refs = grown;
    }
    op.refs.set(refs.subarray(0, count), op.n);
    op.n += count;
    return this;
  }
  get full(): boolean {
    return this.op.n >= this.op.refs.length;
  }
}
