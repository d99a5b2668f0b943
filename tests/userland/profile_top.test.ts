// make profile's reader of node's profiles: the top entries of a CPU
// profile it was given, and one line naming each bad input (exit 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { script_argv } from '../../userland/bench/child.ts';
import { cpu_top } from '../../userland/bench/profile_top.ts';

const run = (args: string[]) => spawnSync(process.execPath, [...script_argv(new URL('../../userland/bench/profile_top.ts', import.meta.url)), ...args], { encoding: 'utf8' });

// A profile of three functions: main calls a (3 samples of 10 us) and b (1 sample).
const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
    { id: 2, callFrame: { functionName: 'main', url: 'file:///x/main.js', lineNumber: 0 }, children: [3, 4] },
    { id: 3, callFrame: { functionName: 'a', url: 'file:///x/a.js', lineNumber: 4 } },
    { id: 4, callFrame: { functionName: 'b', url: 'file:///x/b.js', lineNumber: 9 } },
  ],
  samples: [3, 3, 4, 3],
  timeDeltas: [10, 10, 10, 10],
  startTime: 0,
  endTime: 40,
};

test('self time goes to the sampled function, most first', () => {
  const c = cpu_top(profile, 5);
  assert.is(c.total_ms, 0.04);
  assert.equal(c.functions.map((e) => e.what.split(' ')[0]), ['a', 'b']);
  assert.equal(c.functions.map((e) => e.share), [0.75, 0.25]);
});

test('the command prints a profile, and names each bad input in one line (exit 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-prof-'));
  try {
    const good = join(dir, 'p.cpuprofile');
    writeFileSync(good, JSON.stringify(profile));
    const ok = run(['--top', '1', good]);
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /self time by function\n\s+0\.0 ms\s+75\.0%\s+a /);
    assert.not.match(ok.stdout, / b /);
    const notjson = join(dir, 'x.json');
    writeFileSync(notjson, '{"a": 1}');
    for (const [args, what] of [[[join(dir, 'none')], /none: cannot read it as a profile/], [[notjson], /not a CPU profile/], [['--top', '0', good], /--top must be an integer from 1/], [[], /missing required argument/]] as const) {
      const r = run([...args]);
      assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, what);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.not.match(r.stderr, /\n\s+at /);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.run();
