// The property convention holds for every suite: each fast-check property
// runs through tests/helpers/prop.ts (its seed is FC_SEED or the commit's,
// its runs multiplied by FC_NUM_RUNS), none pins a seed, and a failure
// names the command that replays it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calling_suite, check, params, replay_command, runs, SEED } from './helpers/prop.ts';

const TESTS = fileURLToPath(new URL('./', import.meta.url));

function suites(dir = TESTS): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? suites(p) : n.endsWith('.test.ts') ? [p] : [];
  });
}

test('no suite calls fc.assert or fc.check itself, and no property pins a seed', () => {
  for (const f of suites()) {
    const text = readFileSync(f, 'utf8');
    const rel = f.slice(TESTS.length);
    if (rel === 'conventions.test.ts') continue; // its own patterns name what they look for
    assert.not.match(text, /\bfc\.(assert|check)\(/, `${rel} runs a property outside tests/helpers/prop.ts`);
    assert.not.match(text, /numRuns:[^}\n]*\bseed:|\bseed:\s*\d+[^}\n]*numRuns/, `${rel} pins a property's seed`);
  }
});

test('the shared seed and runs: params() sets them, and a failure names its replay command', () => {
  assert.equal(params({ numRuns: 10 }), { numRuns: runs(10), seed: SEED });
  assert.is(calling_suite(), 'conventions');
  assert.is(replay_command('trace'), `make unit T=trace FC_SEED=${SEED}${runs(10) === 10 ? '' : ` FC_NUM_RUNS=${runs(10) / 10}`}`);
  let message = '';
  try {
    check(fc.property(fc.integer({ min: 0, max: 9 }), (x) => x < 0), { numRuns: 3 });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /Counterexample: \[0\]/);
  assert.match(message, new RegExp(`Replay this failure: make unit T=conventions FC_SEED=${SEED}`));
});

test('FC_NUM_RUNS multiplies every property\'s runs, FC_SEED sets the seed, and both are printed; a bad value is refused', () => {
  const helper = fileURLToPath(new URL('./helpers/prop.ts', import.meta.url));
  const code = `const m = await import(${JSON.stringify(helper)}); process.stdout.write(m.runs(10) + ' ' + m.SEED + '\\n');`;
  const run = (env: Record<string, string>): string =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, FC_SEED: '', FC_NUM_RUNS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = run({ FC_SEED: '12345', FC_NUM_RUNS: '3' });
  assert.match(out, /^\nfast-check: seed 12345 \(from FC_SEED\), runs x3; FC_SEED=12345 replays it\n30 12345\n$/, JSON.stringify(out));
  assert.match(run({}), /^\nfast-check: seed \d+ \(from (commit [0-9a-f]{12}|source tree [0-9a-f]{12} \(no git commit found\))\); FC_SEED=\d+ replays it\n10 \d+\n$/);
  assert.throws(() => run({ FC_NUM_RUNS: 'lots' }), /FC_NUM_RUNS must be a number above 0/);
});

test.run();
