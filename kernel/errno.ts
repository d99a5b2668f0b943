// Linux errno values (include/asm-i386/errno.h). Syscalls return -errno, as the
// kernel does; the libc-style wrappers in userland turn that into errno.
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const ENOSYS = 38;
export const ECONNABORTED = 103;
export const EHOSTUNREACH = 113;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [ESRCH]: 'ESRCH', [EINTR]: 'EINTR', [EBADF]: 'EBADF', [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM', [EACCES]: 'EACCES', [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL', [ENOSYS]: 'ENOSYS', [ECONNABORTED]: 'ECONNABORTED', [EHOSTUNREACH]: 'EHOSTUNREACH',
};

/** 'ENOMEM' for 12 (or -12). */
export function errno_name(e: number): string {
  return NAMES[Math.abs(e)] ?? `errno ${Math.abs(e)}`;
}

/** True for a syscall return value that is an error (-4095 .. -1, as on i386). */
export const is_err = (ret: number): boolean => ret < 0 && ret >= -4095;
