// Which build of omemu made a record: a hash of the sources a run depends
// on (kernel, mm, net, om, and userland except the bench's rendering code
// and the docs' generator)
// and the locked dependencies. A resumed sweep reuses only records of its
// own build, and a merge refuses shards of different builds, so a result is
// never silently the output of older code.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The tree's root: two folders up from this source, three from its compiled
// twin in dist/ (userland/compile.js). The hash is always of the sources.
const UP2 = fileURLToPath(new URL('../../', import.meta.url));
const ROOT = existsSync(join(UP2, 'package.json')) ? UP2 : join(UP2, '..');
const DIRS = ['kernel', 'mm', 'net', 'om', 'userland'];
// The bench's rendering and the docs' generator make no run's result.
const SKIP = new Set(['userland/bench', 'userland/docs']);

function sources(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(ROOT, p).split('\\').join('/');
    if (e.isDirectory()) {
      if (!SKIP.has(rel)) sources(p, out);
    } else if (/\.(ts|js)$/.test(e.name)) out.push(rel);
  }
}

let cached: string | null = null;

/** 12 hex digits of SHA-256 over the sources' paths and bytes. */
export function build_id(): string {
  if (cached) return cached;
  const files: string[] = [];
  for (const d of DIRS) sources(join(ROOT, d), files);
  files.sort();
  files.push('package-lock.json');
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  cached = h.digest('hex').slice(0, 12);
  return cached;
}
