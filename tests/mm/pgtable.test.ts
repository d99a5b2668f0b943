import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import * as pg from '../../mm/pgtable.ts';

test('i386 geometry: 4 KiB pages, 10/10/12 split, 1024-entry tables', () => {
  assert.is(pg.PAGE_SIZE, 4096);
  assert.is(pg.PTRS_PER_PGD * pg.PTRS_PER_PTE * pg.PAGE_SIZE, 2 ** 32);
  const addr = 0xbfffeabc;
  const vpn = addr >>> 12;
  assert.is(pg.pgd_index(vpn), addr >>> 22);
  assert.is(pg.pte_index(vpn), (addr >>> 12) & 0x3ff);
  assert.is(pg.pgd_index(0x08048000 >>> 12), 0x20);
});

test('PTE bits are Linux 2.4 i386 values', () => {
  assert.is(pg._PAGE_PRESENT, 0x001);
  assert.is(pg._PAGE_RW, 0x002);
  assert.is(pg._PAGE_USER, 0x004);
  assert.is(pg._PAGE_ACCESSED, 0x020);
  assert.is(pg._PAGE_DIRTY, 0x040);
  const pte = pg.mk_pte(0xfffff, pg._PAGE_PRESENT | pg._PAGE_RW);
  assert.is(pte, 0xfffff003);
  assert.is(pg.pte_pfn(pte), 0xfffff);
  assert.ok(pg.pte_present(pte));
  assert.ok(pg.pte_none(0));
  assert.ok(pg.pte_present(pg._PAGE_PROTNONE), 'PROT_NONE pages are present to Linux');
});

test('remote entries are non-present swap entries that round-trip their node id', () => {
  check(
    fc.property(fc.integer({ min: 0, max: (1 << 24) - 1 }), (node) => {
      const e = pg.mk_remote_pte(node);
      assert.ok(!pg.pte_present(e));
      assert.ok(!pg.pte_none(e));
      assert.ok(pg.is_remote_pte(e));
      assert.is(pg.swp_offset(e), node);
      assert.is(e & (pg._PAGE_PRESENT | pg._PAGE_PROTNONE), 0);
    }),
  );
  assert.not.ok(pg.is_remote_pte(pg.swp_entry(1, 5)), 'an ordinary swap type is not remote');
});

test.run();
