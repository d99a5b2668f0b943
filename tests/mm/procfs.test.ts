// /proc/PID/maps, status and where as text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Driver, newCluster } from '../helpers/driver.ts';
import { mmap_anon, sys_brk } from '../../userland/libc.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { ENOENT, ESRCH } from '../../kernel/errno.ts';

test('/proc/PID/maps lists the i386 layout in Linux format', () => {
  const c = newCluster();
  const d = new Driver(c);
  d.exec(sys_brk(d.mm.start_brk + 2 * PAGE_SIZE));
  d.exec(mmap_anon(16 * PAGE_SIZE));
  const r = c.procfs.read(c.node(0), `/proc/${d.task.pid}/maps`);
  assert.ok(r.ok);
  const text = r.ok ? r.text : '';
  const pad = (s: string) => s.padEnd(73);
  assert.equal(text.split('\n'), [
    pad('08048000-08049000 r-xp 00000000 00:00 0') + 'driver',
    pad('08049000-0804a000 rw-p 00000000 00:00 0') + 'driver',
    pad('0804a000-0804c000 rwxp 00000000 00:00 0') + '[heap]',
    '40000000-40010000 rw-p 00000000 00:00 0',
    pad('bffe0000-c0000000 rw-p 00000000 00:00 0') + '[stack]',
    '',
  ]);
});

test('/proc/PID/status has VmSize, VmRSS and fault counts; where says home', () => {
  const c = newCluster();
  const d = new Driver(c);
  const a = d.exec(mmap_anon(8 * PAGE_SIZE));
  for (let i = 0; i < 8; i++) d.write_u8(a + i * PAGE_SIZE, 1);
  const r = c.procfs.read(c.node(0), `/proc/${d.task.pid}/status`);
  const text = r.ok ? r.text : '';
  const field = (k: string) => new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1];
  assert.is(field('VmSize'), String((d.mm.vm_size_B()) / 1024));
  assert.is(field('VmRSS'), String(d.mm.rss * 4));
  assert.is(field('MinFlt'), '8');
  assert.is(field('MajFlt'), '0');
  assert.match(text, /^State:\tS \(sleeping\)$/m);
  const w = c.procfs.read(c.node(0), `/proc/${d.task.pid}/where`);
  assert.equal(w, { ok: true, text: 'home\n' });
});

test('missing processes and files are ESRCH and ENOENT with a message', () => {
  const c = newCluster();
  const r1 = c.procfs.read(c.node(0), '/proc/4242/maps');
  assert.equal(r1.ok ? 0 : r1.errno, ESRCH);
  const r2 = c.procfs.read(c.node(0), '/proc/nothing');
  assert.equal(r2.ok ? 0 : r2.errno, ENOENT);
  assert.match(r2.ok ? '' : r2.message, /no such file/);
});

test.run();
