// MmStruct.for_each_pte reads page-table pages through their chunk views (a
// fast path): it must visit exactly the entries the obvious walk, one
// pte_get per page, finds, in order, with their values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { MmStruct } from '../../mm/mm_struct.ts';
import { NR_VPAGES, PTRS_PER_PTE } from '../../mm/pgtable.ts';

test('property: for_each_pte visits the non-empty entries pte_get finds, in order, over any range', () => {
  check(
    fc.property(
      // Entries clustered in a few page tables (a vpn's table is vpn >> 10), some set back to 0.
      fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: PTRS_PER_PTE - 1 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff }))), { maxLength: 200 }),
      fc.array(fc.integer({ min: 0, max: NR_VPAGES - 1 }), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: NR_VPAGES }),
      fc.integer({ min: 0, max: 4 * PTRS_PER_PTE }),
      (entries, tables, start, len) => {
        const c = new Cluster({ nodes: 1, mem_B: 16 << 20, seed: 1 });
        const mm = new MmStruct(c.node(0));
        for (const [t, i, pte] of entries) mm.pte_set(((tables[t]! >> 10) << 10) + i, pte);
        // The range starts at a random page or at one of the tables, and may run past the end.
        const from = len % 2 ? start : (tables[start % 8]! >> 10) << 10;
        const to = Math.min(NR_VPAGES, from + len);
        const fast: [number, number][] = [];
        mm.for_each_pte(from, to, (vpn, pte) => void fast.push([vpn, pte]));
        const obvious: [number, number][] = [];
        for (let vpn = from; vpn < to; vpn++) {
          const pte = mm.pte_get(vpn);
          if (pte !== 0) obvious.push([vpn, pte]);
        }
        assert.equal(fast, obvious);
      },
    ),
    { numRuns: 200 },
  );
});

test('for_each_pte sees the changes its callback makes to later entries', () => {
  const c = new Cluster({ nodes: 1, mem_B: 16 << 20, seed: 1 });
  const mm = new MmStruct(c.node(0));
  for (let v = 0x40000; v < 0x40010; v++) mm.pte_set(v, 0x1000 * v + 7);
  const seen: number[] = [];
  mm.for_each_pte(0x40000, 0x40010, (vpn, pte) => {
    seen.push(pte);
    if (vpn + 1 < 0x40010) mm.pte_set(vpn + 1, 5);
  });
  assert.equal(seen, [0x1000 * 0x40000 + 7, ...new Array<number>(15).fill(5)]);
});

test.run();
