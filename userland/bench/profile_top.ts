// The top entries of V8 profiles, for `make profile`: a .cpuprofile
// (node --cpu-prof) as self time by function and by file or package, a
// .heapprofile (node --heap-prof) as the memory still held by allocation
// site at the end (sampled). Host figures, never part of a result.
//
//   node dist/userland/bench/profile_top.js [--top N] FILE.cpuprofile|FILE.heapprofile ...
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { error_line, EXIT_USAGE, numberIn, UsageError } from '../cli/usage.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/dist\/$/, '');

/** A file as the report names it: a package by its name, a source by its path in the tree, node's own as node:... */
export function where(url: string): string {
  if (url === '') return '(native or V8)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return `pkg ${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (path.startsWith('/')) return relative(ROOT, path);
  return path;
}

const fn_name = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${where(f.url)}:${f.lineNumber + 1}`;

export interface Entry {
  what: string;
  value: number;
  share: number;
}

function top(m: Map<string, number>, total: number, n: number): Entry[] {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([what, value]) => ({ what, value, share: total > 0 ? value / total : 0 }));
}

/** Self time (ms) by function and by file/package. */
export function cpu_top(p: CpuProfile, n: number): { total_ms: number; functions: Entry[]; files: Entry[] } {
  const by_id = new Map(p.nodes.map((x) => [x.id, x]));
  const self_us = new Map<number, number>();
  p.samples.forEach((id, i) => self_us.set(id, (self_us.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self_us) {
    const f = by_id.get(id)!.callFrame;
    const ms = us / 1000;
    total += ms;
    const name = f.url === '' && f.functionName.startsWith('(') ? f.functionName : fn_name(f);
    fns.set(name, (fns.get(name) ?? 0) + ms);
    const file = f.url === '' && f.functionName.startsWith('(') ? f.functionName : where(f.url);
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  return { total_ms: total, functions: top(fns, total, n), files: top(files, total, n) };
}

/** Bytes held at the end (sampled) by allocating function and by file/package. */
export function heap_top(head: HeapNode, n: number): { total_MB: number; functions: Entry[]; files: Entry[] } {
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  const walk = (x: HeapNode): void => {
    if (x.selfSize > 0) {
      const mb = x.selfSize / 2 ** 20;
      total += mb;
      const name = fn_name(x.callFrame);
      fns.set(name, (fns.get(name) ?? 0) + mb);
      const file = where(x.callFrame.url);
      files.set(file, (files.get(file) ?? 0) + mb);
    }
    for (const c of x.children) walk(c);
  };
  walk(head);
  return { total_MB: total, functions: top(fns, total, n), files: top(files, total, n) };
}

function print(title: string, unit: string, es: Entry[]): void {
  console.log(`  ${title}`);
  for (const e of es) console.log(`    ${e.value.toFixed(1).padStart(9)} ${unit} ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.what}`);
}

/** Print the top entries of one profile file (a .cpuprofile or a .heapprofile). */
function report(file: string, n: number): void {
  let data: CpuProfile | { head: HeapNode };
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | { head: HeapNode };
  } catch (e) {
    throw new UsageError(`${file}: cannot read it as a profile (${(e as Error).message.split('\n')[0]})`);
  }
  if (data && typeof data === 'object' && 'head' in data) {
    const h = heap_top(data.head, n);
    console.log(`${file}: ${h.total_MB.toFixed(1)} MB sampled`);
    print('by allocating function', 'MB', h.functions);
    print('by file or package', 'MB', h.files);
  } else if (data && typeof data === 'object' && Array.isArray((data as CpuProfile).nodes) && Array.isArray((data as CpuProfile).samples)) {
    const c = cpu_top(data as CpuProfile, n);
    console.log(`${file}: ${(c.total_ms / 1000).toFixed(2)} s sampled (wall time)`);
    print('self time by function', 'ms', c.functions);
    print('self time by file or package', 'ms', c.files);
  } else throw new UsageError(`${file}: not a CPU profile (--cpu-prof) nor a heap profile (--heap-prof)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const program = new Command()
    .name('profile_top')
    .description("The top entries of node's CPU profiles (--cpu-prof: self time by function and by file) and heap profiles (--heap-prof: bytes held by allocating function).")
    .argument('<profiles...>', '.cpuprofile or .heapprofile files')
    .option('--top <n>', 'entries to print in each list', numberIn('--top', 1, 10_000, true), 15)
    .configureOutput({ outputError: (str, write) => write(error_line(`${str.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)`)) })
    .exitOverride();
  try {
    program.parse();
    const { top: n } = program.opts<{ top: number }>();
    for (const file of program.args) report(file, n);
  } catch (e) {
    if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
    else if (e instanceof UsageError) {
      process.stderr.write(error_line(e.message));
      process.exitCode = EXIT_USAGE;
    } else throw e;
  }
}
