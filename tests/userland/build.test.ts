// The compiled build (userland/compile.js): omemu runs the JavaScript in
// dist/, and a source edited after the build is what runs next, rebuilt and
// said on stderr. Checked on a copy of the tree, so the real build is left
// alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Out { code: number; stdout: string; stderr: string }
const omemu = (root: string, args: string[]): Promise<Out> =>
  new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'userland/cli/omemu.js'), ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });

test('a fresh tree builds on first use; an edited source is rebuilt and runs; a broken one is named', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'omemu-build-'));
  try {
    for (const d of ['kernel', 'mm', 'net', 'om', 'userland']) cpSync(join(ROOT, d), join(tmp, d), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(tmp, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(tmp, 'package-lock.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'));
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

    const first = await omemu(tmp, ['--version']);
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^omemu ${version.replace(/\./g, '\\.')}\ncommit `));
    assert.match(first.stderr, /^omemu: no build yet: compiled \d+ files into dist\/ in [\d.]+ s\n$/);

    const again = await omemu(tmp, ['--version']);
    assert.is(again.stderr, '', 'a current build is used as it is');

    // Edit the command's description: the next run rebuilds and shows it.
    const main = join(tmp, 'userland/cli/program.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('An emulated openMosix 2.4 cluster', 'An edited emulator'));
    const later = new Date(Date.now() + 5000);
    utimesSync(main, later, later);
    const edited = await omemu(tmp, ['--help']);
    assert.is(edited.code, 0, edited.stderr);
    assert.match(edited.stderr, /^omemu: stale: userland\/cli\/program\.ts is newer than the build: compiled \d+ files/);
    assert.match(edited.stdout, /An edited emulator/);

    // A file added to a folder makes the folder newer: rebuilt too.
    // (The file's own time is set in the past, as a copy or an unpacked archive may keep it.)
    writeFileSync(join(tmp, 'mm/extra_note.ts'), 'export const NOTE = 1;\n');
    const past = new Date('2001-01-01');
    utimesSync(join(tmp, 'mm/extra_note.ts'), past, past);
    const dir_later = new Date(Date.now() + 60_000);
    utimesSync(join(tmp, 'mm'), dir_later, dir_later);
    const added = await omemu(tmp, ['--version']);
    assert.match(added.stderr, /^omemu: stale: mm\/ \(a file added, removed or renamed there\) is newer than the build/, added.stderr);

    // A source that does not compile: exit 1, the file and line named, no stack trace.
    const ampom = join(tmp, 'mm/ampom.ts');
    writeFileSync(ampom, readFileSync(ampom, 'utf8') + '\nexport const broken = ;\n');
    const broken_at = new Date(Date.now() + 120_000);
    utimesSync(ampom, broken_at, broken_at);
    const bad = await omemu(tmp, ['--version']);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /omemu: cannot build dist\/ from the sources: Build failed with 1 error:\nmm\/ampom\.ts:\d+:\d+: ERROR/);
    assert.not.match(bad.stderr, /\n\s+at /);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
