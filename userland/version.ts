// Which omemu this is: the package's version and the build it was made
// from (the git commit, with -dirty when the tree has changes; else the
// build-info.json a build wrote), and the hash of the sources a sweep
// record stores as its `build`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build_id } from './sweep/build.ts';

// The top of the tree: above userland/ in the sources, above dist/userland/ in the build.
const UP1 = fileURLToPath(new URL('../', import.meta.url));
const ROOT = existsSync(`${UP1}package.json`) ? UP1 : fileURLToPath(new URL('../../', import.meta.url));

/** The git commit of the sources (short, -dirty with changes), or null outside a checkout. */
function git_commit(): string | null {
  try {
    const out = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12', '--match', 'no-tags-wanted'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^[0-9a-f]{7,40}(-dirty)?$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

/** The commit a build recorded (build-info.json at the top of the install), or null. */
function recorded_commit(): string | null {
  const p = `${ROOT}build-info.json`;
  if (!existsSync(p)) return null;
  try {
    const c = (JSON.parse(readFileSync(p, 'utf8')) as { commit?: unknown }).commit;
    return typeof c === 'string' && c !== '' ? c : null;
  } catch {
    return null;
  }
}

export function version_text(): string {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  const commit = git_commit() ?? recorded_commit() ?? 'unknown (no git checkout, no build-info.json)';
  return `omemu ${pkg.version}\ncommit ${commit}\nsources ${build_id()} (the build a sweep record names)\n`;
}
