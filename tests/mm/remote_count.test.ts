// MmStruct counts its remote entries and keeps a span that holds them all
// (mm/mm_struct.ts remote_ptes, may_be_remote), so that om's holder_of can
// answer "no holder" without walking the page table. The count and the span
// must hold whatever is set, overwritten or unmapped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { MmStruct, zap_page_range } from '../../mm/mm_struct.ts';
import { is_remote_pte, mk_remote_pte, PAGE_SIZE, PTRS_PER_PTE, swp_entry } from '../../mm/pgtable.ts';

/** An entry: none, remote (a node), or another kind of swap entry (not remote). */
const entry = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 }).map(mk_remote_pte), fc.integer({ min: 1, max: 255 }).map((o) => swp_entry(1, o)));
const vpn = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: PTRS_PER_PTE - 1 })).map(([t, i]) => t * 97 * PTRS_PER_PTE + i);
const step = fc.oneof(
  fc.tuple(fc.constant('set' as const), vpn, entry),
  fc.tuple(fc.constant('zap' as const), vpn, fc.integer({ min: 1, max: 3 * PTRS_PER_PTE })),
);

test('property: the remote count is what a scan finds, and every remote entry is within the span', () => {
  check(
    fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (steps, seed) => {
      const c = new Cluster({ nodes: 1, mem_B: 16 << 20, seed });
      const mm = new MmStruct(c.node(0));
      for (const s of steps) {
        if (s[0] === 'set') mm.pte_set(s[1], s[2]);
        else zap_page_range(mm, s[1] * PAGE_SIZE, (s[1] + s[2]) * PAGE_SIZE);
      }
      let remote = 0;
      mm.for_each_pte(0, 1 << 20, (v, pte) => {
        if (!is_remote_pte(pte)) return;
        remote++;
        assert.ok(mm.may_be_remote(v), `remote entry at ${v} outside [${mm.remote_lo_vpn}, ${mm.remote_hi_vpn})`);
      });
      assert.is(mm.remote_ptes, remote);
      if (remote === 0) assert.not.ok(mm.may_be_remote(0), 'no remote entry: none may be anywhere');
    }),
    { numRuns: 200 },
  );
});

test.run();
