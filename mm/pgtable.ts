// i386 paging as Linux 2.4 sets it up (include/asm-i386/pgtable*.h).
//
// Two levels, 10/10/12: a 1024-entry page directory (PGD) of page-table
// pages, each a 1024-entry table of 32-bit PTEs, both kept in page frames.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = ~(PAGE_SIZE - 1) >>> 0;
export const PGDIR_SHIFT = 22;
export const PTRS_PER_PGD = 1024;
export const PTRS_PER_PTE = 1024;

/** Number of virtual pages in the 4 GiB space. */
export const NR_VPAGES = 1 << 20;

// User address-space layout (i386).
export const TASK_SIZE = 0xc0000000;
export const TASK_UNMAPPED_BASE = 0x40000000; // TASK_SIZE / 3
export const ELF_TEXT_START = 0x08048000;
/** RLIMIT_STACK's usual default: 8 MiB. */
export const STACK_LIMIT_B = 8 << 20;

// PTE bits.
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
/** A PROT_NONE page: not present to the hardware, but mapped to Linux. */
export const _PAGE_PROTNONE = 0x080;
/** A PGD entry pointing at a page-table page. */
export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;

export const pgd_index = (vpn: number): number => vpn >>> 10;
export const pte_index = (vpn: number): number => vpn & (PTRS_PER_PTE - 1);
export const pte_pfn = (pte: number): number => pte >>> PAGE_SHIFT;
export const mk_pte = (pfn: number, flags: number): number => ((pfn << PAGE_SHIFT) | flags) >>> 0;
export const pte_none = (pte: number): boolean => pte === 0;
/** Present to Linux: the hardware bit, or a PROT_NONE mapping. */
export const pte_present = (pte: number): boolean => (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) !== 0;

// Swap-style entries in a non-present PTE: type in bits 1-6, offset in 8-31,
// bits 0 and 7 clear (SWP_ENTRY in 2.4). A page held by another node is such
// an entry of type SWP_REMOTE whose offset names the node that holds it.
export const SWP_REMOTE = 0x3f;
export const swp_entry = (type: number, offset: number): number => ((type << 1) | (offset << 8)) >>> 0;
export const swp_type = (pte: number): number => (pte >>> 1) & 0x3f;
export const swp_offset = (pte: number): number => pte >>> 8;
export const is_remote_pte = (pte: number): boolean => !pte_present(pte) && !pte_none(pte) && swp_type(pte) === SWP_REMOTE;
export const mk_remote_pte = (node_id: number): number => swp_entry(SWP_REMOTE, node_id);

// Page-fault error code pushed by the CPU.
export const PF_PROT = 1; // set: protection violation; clear: page not present
export const PF_WRITE = 2;
export const PF_USER = 4;

export const page_align = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
export const is_page_aligned = (x: number): boolean => x % PAGE_SIZE === 0;

/** Format an address as the kernel prints it: 8 hex digits. */
export const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');
