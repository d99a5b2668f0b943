// Generated blocks: the parts of README.md and docs/*.md that a command
// writes, so that a figure quoted in the docs is never a paste. A block is
//
//   <!-- generated: NAME (make docs) -->
//   ...what NAME's generator wrote...
//   <!-- end: NAME -->
//
// `make docs` rewrites every block from its generator; the docs test fails
// when a block differs from what its generator gives now.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// The top of the tree: above userland/docs/ in the sources, above dist/userland/docs/ in the build.
const UP2 = fileURLToPath(new URL('../../', import.meta.url));
export const ROOT = existsSync(`${UP2}package.json`) ? UP2 : fileURLToPath(new URL('../../../', import.meta.url));

/** The files that may hold blocks: README.md and every docs/*.md. */
export function doc_files(): string[] {
  const docs = join(ROOT, 'docs');
  return ['README.md', ...(existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`) : [])];
}

export interface Block {
  name: string;
  /** The text between the two markers, without the newlines next to them. */
  body: string;
  /** 1-based line of the opening marker. */
  line: number;
}

const OPEN = /^<!-- generated: ([a-z0-9-]+) \(make docs\) -->$/;
const close_of = (name: string): string => `<!-- end: ${name} -->`;

/** The blocks of a markdown text, or the first thing wrong with its markers. */
export function find_blocks(text: string, file: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]!);
    if (!m) {
      if (/^<!-- (generated|end):/.test(lines[i]!)) throw new Error(`${file}:${i + 1}: a block marker out of place: ${lines[i]}`);
      continue;
    }
    const name = m[1]!;
    const end = lines.indexOf(close_of(name), i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: block ${name} has no '${close_of(name)}'`);
    out.push({ name, body: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return out;
}

/** The text with each block's body replaced by what `fill` gives for its name. */
export async function fill_blocks(text: string, file: string, fill: (name: string) => Promise<string>): Promise<string> {
  let out = text;
  for (const b of find_blocks(text, file)) {
    const open = `<!-- generated: ${b.name} (make docs) -->`;
    const body = (await fill(b.name)).replace(/\n+$/, '');
    // A function, so that a '$' in the new text is taken as it is.
    out = out.replace(`${open}\n${b.body}${b.body === '' ? '' : '\n'}${close_of(b.name)}`, () => `${open}\n${body}\n${close_of(b.name)}`);
  }
  return out;
}
