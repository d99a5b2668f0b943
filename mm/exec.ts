// Building a new process image (the part of execve and the ELF loader that
// lays out an i386 address space), then starting it.
import { crc32 } from 'node:zlib';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import type { Op } from '../kernel/op.ts';
import { Rng } from '../kernel/rng.ts';
import { TaskView, type Task } from '../kernel/task.ts';
import { ELF_TEXT_START, PAGE_SIZE, TASK_SIZE, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, mk_pte, page_align } from './pgtable.ts';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE, VmArea } from './vma.ts';
import { MmStruct, OutOfFrames } from './mm_struct.ts';
import './mmap.ts'; // registers mmap, munmap, brk
import './mprotect.ts'; // registers mprotect

export interface ImageSpec {
  /** Process name (comm), also the name shown for text and data in maps. */
  comm: string;
  text_B: number;
  data_B: number;
  bss_B: number;
  /** Size of the stack VMA set up at exec (2.4: 32 argument pages). */
  stack_B?: number;
}

/** Bytes for an image page: deterministic per program, so checksums mean something. */
function image_bytes(rng: Rng, out: Uint8Array): void {
  for (let i = 0; i < out.length; i += 4) {
    const v = rng.int(0, 0xffffffff);
    out[i] = v & 0xff;
    out[i + 1] = (v >>> 8) & 0xff;
    out[i + 2] = (v >>> 16) & 0xff;
    out[i + 3] = v >>> 24;
  }
}

/** Map one resident page with given contents (the loader reading the ELF file). */
function populate(mm: MmStruct, vpn: number, writable: boolean, fill: (page: Uint8Array) => void): void {
  const pfn = mm.mem.alloc();
  if (pfn < 0) throw new OutOfFrames(mm.node);
  const page = mm.mem.bytes(pfn);
  page.fill(0);
  fill(page);
  const flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | (writable ? _PAGE_RW | _PAGE_DIRTY : 0);
  if (!mm.pte_set(vpn, mk_pte(pfn, flags))) {
    mm.mem.put(pfn);
    throw new OutOfFrames(mm.node);
  }
  mm.rss++;
}

/**
 * Lay out an i386 process: text at 0x08048000 (r-x), data and bss above it
 * (rw-), the brk heap after bss, and a stack VMA under TASK_SIZE that grows
 * down. Text, data and the top stack page are resident, as after a loader
 * has read them; bss and the rest are demand-zero.
 */
export function load_image(node: Node, spec: ImageSpec): MmStruct {
  for (const k of ['text_B', 'data_B', 'bss_B'] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 0) throw new Error(`image ${k} must be a byte count >= 0, got ${spec[k]}`);
  }
  if (spec.text_B === 0) throw new Error('image text_B must be at least one byte');
  const mm = new MmStruct(node);
  try {
    const rng = new Rng(crc32(Buffer.from(spec.comm)));
    const text_end = ELF_TEXT_START + page_align(spec.text_B);
    mm.start_code = ELF_TEXT_START;
    mm.end_code = ELF_TEXT_START + spec.text_B;
    mm.vmas.insert(new VmArea(ELF_TEXT_START, text_end, VM_READ | VM_EXEC, spec.comm));
    for (let a = ELF_TEXT_START; a < text_end; a += PAGE_SIZE) populate(mm, a / PAGE_SIZE, false, (p) => image_bytes(rng, p));
    // The data segment starts on the page after the text (as ld lays it out).
    const data_start = text_end;
    const data_end = data_start + page_align(spec.data_B + spec.bss_B);
    mm.start_data = data_start;
    mm.end_data = data_start + spec.data_B;
    if (data_end > data_start) {
      mm.vmas.insert(new VmArea(data_start, data_end, VM_READ | VM_WRITE, spec.comm));
      for (let a = data_start; a < data_start + page_align(spec.data_B); a += PAGE_SIZE) {
        populate(mm, a / PAGE_SIZE, true, (p) => image_bytes(rng, p));
      }
    }
    mm.start_brk = mm.brk = data_end;
    const stack_B = page_align(spec.stack_B ?? 32 * PAGE_SIZE);
    mm.vmas.insert(new VmArea(TASK_SIZE - stack_B, TASK_SIZE, VM_READ | VM_WRITE | VM_GROWSDOWN, '[stack]'));
    mm.start_stack = TASK_SIZE - 512;
    // argv, envp and the auxiliary vector live in the top stack page.
    populate(mm, TASK_SIZE / PAGE_SIZE - 1, true, (p) => {
      const args = new TextEncoder().encode(`${spec.comm}\0PATH=/bin:/usr/bin\0HOME=/\0`);
      p.set(args, PAGE_SIZE - args.length);
    });
    return mm;
  } catch (e) {
    mm.exit_mm();
    throw e;
  }
}

/** execve and run: a new task on node running prog over a fresh image. */
export function spawn_program(
  cluster: Cluster,
  node: Node,
  spec: ImageSpec,
  prog: (task: TaskView) => Iterator<Op, unknown, number>,
): Task {
  const mm = load_image(node, spec);
  let task: Task | null = null;
  const it: Iterator<Op, unknown, number> = {
    next: (v: number) => {
      // Start the program lazily so it receives its own process, which it
      // sees through a view that follows it from node to node.
      inner ??= prog(new TaskView(cluster, task!.pid));
      return inner.next(v);
    },
  };
  let inner: Iterator<Op, unknown, number> | undefined;
  task = cluster.spawn(node, spec.comm, mm, it);
  task.regs.eip = ELF_TEXT_START;
  task.regs.esp = mm.start_stack;
  return task;
}
