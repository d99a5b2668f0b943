// The page-fault path case by case: what each kind of bad or first access does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Driver, newCluster, node_frames } from '../helpers/driver.ts';
import { mmap_anon, sys_gettimeofday, sys_mprotect, sys_mmap, sys_write, REF_X } from '../../userland/libc.ts';
import { SEGV_ACCERR, SEGV_MAPERR, SIGKILL, SIGSEGV } from '../../kernel/signal.ts';
import { EFAULT } from '../../kernel/errno.ts';
import { PROT_NONE, PROT_READ, MAP_ANONYMOUS, MAP_PRIVATE } from '../../mm/mmap.ts';
import { ELF_TEXT_START, PAGE_SIZE, TASK_SIZE, _PAGE_DIRTY, _PAGE_RW } from '../../mm/pgtable.ts';
import { Cluster } from '../../kernel/cluster.ts';

test('first read maps the shared zero page; first write gets a fresh page (copy of zero)', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(2 * PAGE_SIZE));
  const rss0 = d.mm.rss;
  assert.is(d.read_u8(a + 5), 0);
  assert.is(d.mm.rss, rss0, 'a zero-page mapping is not counted in rss');
  const zero_pte = d.mm.pte_get(a / PAGE_SIZE);
  assert.is(zero_pte & _PAGE_RW, 0, 'the zero page is mapped read-only');
  d.write_u8(a + 5, 42);
  assert.is(d.read_u8(a + 5), 42);
  assert.is(d.mm.rss, rss0 + 1);
  const pte = d.mm.pte_get(a / PAGE_SIZE);
  assert.ok(pte & _PAGE_RW && pte & _PAGE_DIRTY);
  assert.is.not(pte >>> 12, zero_pte >>> 12);
  assert.is(d.task.min_flt, 2);
});

test('read of an unmapped address: SIGSEGV with SEGV_MAPERR and the address', () => {
  const d = new Driver(newCluster());
  d.read_u8(0x1234);
  assert.not.ok(d.alive);
  assert.equal(d.task.exit_signal, { signo: SIGSEGV, code: SEGV_MAPERR, addr: 0x1000 });
  assert.is(d.task.exit_code, 128 + SIGSEGV);
});

test('write to read-only text: SIGSEGV with SEGV_ACCERR', () => {
  const d = new Driver(newCluster());
  d.write_u8(ELF_TEXT_START + 10, 1);
  assert.is(d.task.exit_signal?.code, SEGV_ACCERR);
});

test('any access to a PROT_NONE page is SEGV_ACCERR, even after it was touched', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(PAGE_SIZE));
  d.write_u8(a, 7);
  assert.is(d.exec(sys_mprotect(a, PAGE_SIZE, PROT_NONE)), 0);
  d.read_u8(a);
  assert.is(d.task.exit_signal?.code, SEGV_ACCERR);
});

test('mprotect read-only after a write: the old byte is readable, a write faults', () => {
  const d = new Driver(newCluster());
  const a = d.exec(mmap_anon(PAGE_SIZE));
  d.write_u8(a, 9);
  d.exec(sys_mprotect(a, PAGE_SIZE, PROT_READ));
  assert.is(d.read_u8(a), 9);
  d.write_u8(a, 1);
  assert.equal(d.task.exit_signal, { signo: SIGSEGV, code: SEGV_ACCERR, addr: a });
});

test('instruction fetch from a mapping without exec is allowed on i386 only if readable', () => {
  const d = new Driver(newCluster());
  const a = d.exec(sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS));
  d.exec({ kind: 'refs', refs: new Uint32Array([((a / PAGE_SIZE) << 2) | REF_X]), n: 1, cls: 0, units: 0 });
  assert.ok(d.alive, 'i386 has no NX bit: readable is executable');
  const b = d.exec(sys_mmap(0, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS));
  d.exec({ kind: 'refs', refs: new Uint32Array([((b / PAGE_SIZE) << 2) | REF_X]), n: 1, cls: 0, units: 0 });
  assert.is(d.task.exit_signal?.code, SEGV_ACCERR);
});

test('the stack grows down on a fault near esp, within RLIMIT_STACK', () => {
  const d = new Driver(newCluster());
  const vma = d.mm.vmas.find_vma(TASK_SIZE - 1)!;
  const below = vma.start - 3 * PAGE_SIZE;
  d.task.regs.esp = below + 16;
  d.write_u8(below + 16, 3);
  assert.ok(d.alive);
  assert.is(vma.start, below);
  assert.is(d.read_u8(below + 16), 3);
});

test('a stack access far below esp is a SIGSEGV (2.4: more than 32 bytes below)', () => {
  const d = new Driver(newCluster());
  const vma = d.mm.vmas.find_vma(TASK_SIZE - 1)!;
  d.task.regs.esp = vma.start;
  d.write_u8(vma.start - 4 * PAGE_SIZE, 1);
  assert.equal(d.task.exit_signal, { signo: SIGSEGV, code: SEGV_MAPERR, addr: vma.start - 4 * PAGE_SIZE });
});

test('a bad pointer passed to a syscall is -EFAULT, not a signal', () => {
  const d = new Driver(newCluster());
  assert.is(d.exec(sys_gettimeofday(0x1000)), -EFAULT);
  assert.is(d.exec(sys_write(1, 0x2000, 4)), -EFAULT);
  assert.is(d.exec(sys_write(1, 0xfffffff0, 4)), -EFAULT);
  assert.ok(d.alive);
});

test('out of page frames: the task is killed with a reason, the emulator goes on', () => {
  const c = new Cluster({ nodes: 1, mem_B: 1 << 20 }); // 256 frames
  const first = new Driver(c);
  const d = new Driver(c);
  // Each mapping passes the overcommit check alone; together they do not fit.
  const a1 = first.exec(mmap_anon(150 * PAGE_SIZE));
  const a = d.exec(mmap_anon(150 * PAGE_SIZE));
  assert.ok(a > 0 && a1 > 0);
  for (let i = 0; i < 150; i++) first.write_u8(a1 + i * PAGE_SIZE, 1);
  for (let i = 0; i < 150 && d.alive; i++) d.write_u8(a + i * PAGE_SIZE, 1);
  assert.not.ok(d.alive);
  assert.is(d.task.exit_signal?.signo, SIGKILL);
  assert.match(d.task.exit_reason, /out of memory/);
  assert.ok(first.alive, 'the other task is untouched');
  first.exec({ kind: 'sys', nr: 1, args: [0] });
  assert.is(c.node(0).mem.used_frames, node_frames(c.node(0)), 'every frame but the zero page is back');
});

test('exit returns every frame the process held', () => {
  const c = newCluster();
  const d = new Driver(c);
  const a = d.exec(mmap_anon(64 * PAGE_SIZE));
  for (let i = 0; i < 64; i += 3) d.write_u8(a + i * PAGE_SIZE, i);
  d.read_u8(a + PAGE_SIZE);
  d.exec({ kind: 'sys', nr: 1, args: [0] });
  assert.not.ok(d.alive);
  assert.ok(c.node(0).ext.has('zero_page'));
  assert.is(c.node(0).mem.used_frames, node_frames(c.node(0)), 'only the node zero page stays');
});

test.run();
