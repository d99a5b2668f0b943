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
 *
 * A batch whose references have CPU work between them (a loop that touches a
 * page, computes over it, touches the next) carries that work as `pre_ns`:
 * the time to charge just before each reference. The batch becomes timed at
 * the first reference added with time before it; references added before
 * that get none. The step's own cost (cls, units) is what remains after the
 * last reference.
 */
export class RefBatch {
  readonly op: RefsOp;
  /** The pre_ns buffer, lent to op.pre_ns while the batch is timed. */
  private pre: Float64Array;
  constructor(capacity = 1024) {
    this.op = { kind: 'refs', refs: new Uint32Array(capacity), n: 0, cls: 0, units: 0 };
    this.pre = new Float64Array(0);
  }
  reset(cls = 0, units = 0): this {
    this.op.n = 0;
    this.op.cls = cls;
    this.op.units = units;
    this.op.work = undefined;
    this.op.esp = undefined;
    this.op.pre_ns = undefined;
    return this;
  }
  /** Make room for `count` more references. */
  private room(count: number): void {
    const op = this.op;
    if (op.n + count <= op.refs.length) return;
    const grown = new Uint32Array(Math.max(op.refs.length * 2, op.n + count));
    grown.set(op.refs.subarray(0, op.n));
    op.refs = grown;
    if (op.pre_ns) this.timed();
  }
  /** Lend the pre_ns buffer to the op (as long as refs), keeping what it holds; zero before the first timed ref. */
  private timed(): Float64Array {
    const op = this.op;
    if (this.pre.length < op.refs.length) {
      const grown = new Float64Array(op.refs.length);
      if (op.pre_ns) grown.set(this.pre.subarray(0, op.n));
      this.pre = grown;
    } else if (!op.pre_ns) this.pre.fill(0, 0, op.n);
    op.pre_ns = this.pre;
    return this.pre;
  }
  /** Add a reference to the page holding addr (kind R, W or X), after pre_ns of CPU time. */
  add(addr: number, kind: number, pre_ns = 0): this {
    return this.push(ref(Math.floor(addr / PAGE_SIZE), kind), pre_ns);
  }
  /** Add one encoded reference (see ref()), after pre_ns of CPU time. */
  push(r: number, pre_ns = 0): this {
    const op = this.op;
    if (op.n === op.refs.length) this.room(1);
    if (op.pre_ns) op.pre_ns[op.n] = pre_ns;
    else if (pre_ns !== 0) this.timed()[op.n] = pre_ns;
    op.refs[op.n++] = r;
    return this;
  }
  /**
   * For a listing loop too hot for add(): make room for `count` more
   * references and make the batch timed; the caller writes op.refs and
   * op.pre_ns from op.n on and then advances op.n.
   */
  reserve_timed(count: number): RefsOp {
    this.room(count);
    this.timed();
    return this.op;
  }
  /** Append count encoded references (a precomputed run of refs), with no time before them. */
  extend(refs: Uint32Array, count: number): this {
    const op = this.op;
    this.room(count);
    op.refs.set(refs.subarray(0, count), op.n);
    if (op.pre_ns) op.pre_ns.fill(0, op.n, op.n + count);
    op.n += count;
    return this;
  }
  get full(): boolean {
    return this.op.n >= this.op.refs.length;
  }
}
