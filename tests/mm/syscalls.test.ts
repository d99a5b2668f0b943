// mmap, munmap, brk, mprotect and the kernel's own calls, with Linux's errno.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Driver, newCluster } from '../helpers/driver.ts';
import { mmap_anon, sys_brk, sys_getpid, sys_gettimeofday, sys_mmap, sys_mprotect, sys_munmap, sys_write, syscall } from '../../userland/libc.ts';
import { EBADF, EINVAL, ENOMEM, ENOSYS } from '../../kernel/errno.ts';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import { PAGE_SIZE, TASK_SIZE, TASK_UNMAPPED_BASE } from '../../mm/pgtable.ts';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

test('mmap places anonymous memory from TASK_UNMAPPED_BASE, first fit', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(3 * PAGE_SIZE));
  const b = d.exec(mmap_anon(1));
  assert.is(a, TASK_UNMAPPED_BASE);
  assert.is(b, TASK_UNMAPPED_BASE + 3 * PAGE_SIZE, 'lengths round up to pages');
  assert.is(d.exec(sys_munmap(a, PAGE_SIZE)), 0);
  assert.is(d.exec(mmap_anon(PAGE_SIZE)), a, 'the hole is reused');
});

test('mmap argument errors are Linux errno values', () => {
  const d = new Driver(newCluster());
  assert.is(d.exec(sys_mmap(0, 0, RW, ANON)), -EINVAL, 'zero length');
  assert.is(d.exec(sys_mmap(0, PAGE_SIZE, RW, MAP_ANONYMOUS)), -EINVAL, 'neither private nor shared');
  assert.is(d.exec(sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS)), -EINVAL, 'both');
  assert.is(d.exec(sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE, 3)), -EBADF, 'a file mapping with no such fd');
  assert.is(d.exec(sys_mmap(0x40000123, PAGE_SIZE, RW, ANON | MAP_FIXED)), -EINVAL, 'unaligned fixed address');
  assert.is(d.exec(sys_mmap(TASK_SIZE - PAGE_SIZE, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED)), -EINVAL, 'fixed beyond TASK_SIZE');
  assert.is(d.exec(sys_mmap(0, PAGE_SIZE, 0x10, ANON)), -EINVAL, 'unknown prot bit');
  assert.is(d.exec(sys_mmap(0, 1 << 30, RW, ANON)), -ENOMEM, 'more than the node could ever hold');
});

test('MAP_FIXED replaces what was there, contents included', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(4 * PAGE_SIZE));
  d.write_u8(a + PAGE_SIZE, 99);
  assert.is(d.exec(sys_mmap(a + PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED)), a + PAGE_SIZE);
  assert.is(d.read_u8(a + PAGE_SIZE), 0);
  assert.is(d.mm.vmas.list.filter((v) => v.start >= a && v.end <= a + 4 * PAGE_SIZE).length, 1, 'alike neighbours merge');
});

test('munmap splits a VMA and frees its pages; errors for bad arguments', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(3 * PAGE_SIZE));
  for (let i = 0; i < 3; i++) d.write_u8(a + i * PAGE_SIZE, i + 1);
  const rss = d.mm.rss;
  assert.is(d.exec(sys_munmap(a + PAGE_SIZE, PAGE_SIZE)), 0);
  assert.is(d.mm.rss, rss - 1);
  assert.ok(d.mm.vmas.find_vma(a)!.end === a + PAGE_SIZE);
  assert.is(d.mm.vmas.find_vma(a + PAGE_SIZE)!.start, a + 2 * PAGE_SIZE);
  assert.is(d.read_u8(a + 2 * PAGE_SIZE), 3);
  assert.is(d.exec(sys_munmap(a + 1, PAGE_SIZE)), -EINVAL);
  assert.is(d.exec(sys_munmap(a, 0)), -EINVAL);
  assert.is(d.exec(sys_munmap(0x70000000, PAGE_SIZE)), 0, 'unmapping nothing succeeds');
});

test('mprotect needs a fully mapped range, aligned start and known bits', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(2 * PAGE_SIZE));
  assert.is(d.exec(sys_mprotect(a + 1, PAGE_SIZE, PROT_READ)), -EINVAL);
  assert.is(d.exec(sys_mprotect(a, PAGE_SIZE, 0x40)), -EINVAL);
  assert.is(d.exec(sys_mprotect(a, 3 * PAGE_SIZE, PROT_READ)), -ENOMEM, 'a hole at the end');
  assert.is(d.exec(sys_mprotect(a + PAGE_SIZE, PAGE_SIZE, PROT_READ)), 0);
  assert.is(d.mm.vmas.list.filter((v) => v.start >= a && v.end <= a + 2 * PAGE_SIZE).length, 2, 'split in two');
  assert.is(d.exec(sys_mprotect(a + PAGE_SIZE, PAGE_SIZE, RW)), 0);
  assert.is(d.mm.vmas.list.filter((v) => v.start >= a && v.end <= a + 2 * PAGE_SIZE).length, 1, 'merged back');
});

test('brk grows and shrinks the heap; a bad request returns the old break', () => {
  const d = new Driver(newCluster());
  const start = d.exec(sys_brk(0));
  assert.is(start, d.mm.start_brk);
  assert.is(d.exec(sys_brk(start + 10000)), start + 10000);
  d.write_u8(start + 9000, 5);
  assert.is(d.read_u8(start + 9000), 5);
  assert.is(d.exec(sys_brk(start - PAGE_SIZE)), start + 10000, 'below start_brk: unchanged');
  assert.is(d.exec(sys_brk(start + 100)), start + 100);
  assert.is(d.mm.vmas.find_vma(start)!.end, start + PAGE_SIZE);
  // A mapping right above the heap stops it growing into it.
  d.exec(sys_mmap(start + 2 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED));
  assert.is(d.exec(sys_brk(start + 3 * PAGE_SIZE)), start + 100);
});

test('getpid, gettimeofday (virtual time), write to the console, unknown calls', () => {
  const c = newCluster();
  const d = new Driver(c);
  assert.is(d.exec(sys_getpid()), d.task.pid);
  const buf = d.exec(mmap_anon(PAGE_SIZE));
  assert.is(d.exec(sys_gettimeofday(buf)), 0);
  const tv = d.mm.copy_from_user(buf, 8);
  const dv = new DataView(tv.buffer);
  const usec = dv.getInt32(0, true) * 1e6 + dv.getInt32(4, true);
  assert.ok(usec >= 0 && usec <= c.queue.now_ns / 1000 + 1, `timeval ${usec} us within virtual time`);
  d.mm.copy_to_user(buf, new TextEncoder().encode('hello\n'));
  assert.is(d.exec(sys_write(1, buf, 6)), 6);
  assert.is(c.node(0).console, 'hello\n');
  assert.is(d.exec(sys_write(7, buf, 6)), -EBADF);
  assert.is(d.exec(syscall(9999)), -ENOSYS);
});

test.run();
