// The docs keep their word: README.md is one page (at most 200 lines) that
// links every page of docs/; each page opens with what a reader can do after
// reading it; no page names an issue or a path outside the repository;
// every link and image resolves; docs/cli.md is what the command line's
// definitions give; and every generated block is what its generator gives
// now (the bench's figures from docs/data/bench.json, the tour by running
// the commands), so no number in the docs is a paste.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { doc_files, find_blocks, ROOT } from '../../userland/docs/blocks.ts';
import { cli_md } from '../../userland/docs/cli_md.ts';
import { BLOCK_NAMES, generate } from '../../userland/docs/generators.ts';

const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');
const files = doc_files();
const pages = files.filter((f) => f.startsWith('docs/'));

test('README.md is one page that links every page of docs/', () => {
  const readme = read('README.md');
  const lines = readme.trimEnd().split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
  for (const p of pages) assert.ok(readme.includes(`](${p})`), `README.md links ${p}`);
  for (const c of ['make bench', 'make test']) assert.ok(readme.includes(c), c);
});

test('each page of docs/ opens with what a reader can do after reading it', () => {
  assert.ok(pages.length >= 13, `${pages.length} pages`);
  for (const p of pages) {
    const [h1, blank, first] = read(p).split('\n');
    assert.match(h1!, /^# \S/, `${p} starts with its title`);
    assert.is(blank, '', p);
    assert.match(first!, /^After reading this page you can /, `${p}: its first sentence`);
  }
});

/** What a reader must never meet: an issue number, or a path outside the repository. */
export function forbidden(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/\b(issues?|PR|pull request)\s*#?\d+/gi)) bad.push(`names an issue: '${m[0]}'`);
  for (const m of text.matchAll(/(\.\.\/shared|\/work\/|shared\/paper|\/root\/|\/home\/|\/tmp\/)\S*/g)) bad.push(`names a path outside the repository: '${m[0]}'`);
  return bad;
}

test('no page names an issue or a path outside the repository (and the check can fail)', () => {
  for (const f of files) assert.equal(forbidden(read(f)), [], f);
  assert.equal(forbidden('as issue 17 did, see ../shared/paper/targets.md').length, 2);
});

test('every link and image resolves inside the repository', () => {
  for (const f of files) {
    const text = read(f);
    for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
      const p = resolve(dirname(join(ROOT, f)), target.replace(/#.*$/, ''));
      assert.ok(!relative(ROOT, p).startsWith('..'), `${f}: ${target} leaves the repository`);
      assert.ok(existsSync(p), `${f}: ${target} does not exist`);
      if (m[0].startsWith('!')) assert.ok(statSync(p).size > 1000, `${f}: image ${target} is empty`);
    }
  }
});

test('docs/cli.md is what the command line\'s definitions give (make docs)', () => {
  assert.is(read('docs/cli.md'), cli_md());
  for (const c of ['run', 'replay', 'cluster', 'sweep', 'chaos', 'trace', 'explain', 'ampom', 'proc', 'bench']) assert.ok(read('docs/cli.md').includes(`## omemu ${c}\n`), c);
});

test('every generated block is what its generator gives now (make docs)', async () => {
  const used = new Set<string>();
  for (const f of files) {
    if (f === 'docs/cli.md') continue;
    for (const b of find_blocks(read(f), f)) {
      used.add(b.name);
      assert.is(b.body, (await generate(b.name)).replace(/\n+$/, ''), `${f}:${b.line}: block ${b.name} is stale: run make docs`);
    }
  }
  for (const n of BLOCK_NAMES) assert.ok(used.has(n), `block ${n} is used somewhere`);
});

test.run();
