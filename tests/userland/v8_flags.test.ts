// V8's flags for long emulations: the default list, OMEMU_V8_FLAGS
// replacing it, and what a relaunch adds to node's own arguments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { script_argv } from '../../userland/bench/child.ts';
import { omemu } from '../helpers/omemu.ts';
import { DEFAULT_V8_FLAGS, missing_v8_flags, v8_flags } from '../../userland/v8_flags.ts';

test('without OMEMU_V8_FLAGS the default list; with it, its words; empty: none', () => {
  assert.equal(v8_flags({}), DEFAULT_V8_FLAGS);
  assert.ok(DEFAULT_V8_FLAGS.includes('--single-threaded'));
  assert.equal(v8_flags({ OMEMU_V8_FLAGS: '  --max-semi-space-size=16   --single-threaded-gc ' }), ['--max-semi-space-size=16', '--single-threaded-gc']);
  assert.equal(v8_flags({ OMEMU_V8_FLAGS: '' }), []);
});

test('a relaunch adds only the flags node was not given, whatever value it was given', () => {
  const env = { OMEMU_V8_FLAGS: '--single-threaded --max-semi-space-size=64' };
  assert.equal(missing_v8_flags([], env), ['--single-threaded', '--max-semi-space-size=64']);
  assert.equal(missing_v8_flags(['--max-semi-space-size=128'], env), ['--single-threaded']);
  assert.equal(missing_v8_flags(['--single-threaded', '--max-semi-space-size=64', '--import', 'tsx'], env), []);
  assert.equal(missing_v8_flags(['--single-threaded'], { OMEMU_V8_FLAGS: '' }), []);
});

test("the bench's child scripts start with the workers' flags", () => {
  const argv = script_argv(new URL('../../userland/bench/kernel_run.ts', import.meta.url));
  assert.equal(argv.slice(0, v8_flags().length), v8_flags());
  assert.ok(argv[argv.length - 1]!.endsWith('kernel_run.ts'));
});

test('omemu cluster starts itself again with the flags: one node refuses is named, with the variable', async () => {
  const r = await omemu(['cluster', '--nodes', '2'], { OMEMU_V8_FLAGS: '--no-such-v8-flag' });
  assert.is(r.code, 9, r.stderr);
  assert.match(r.stderr, /--no-such-v8-flag/);
  assert.match(r.stderr, /OMEMU_V8_FLAGS/);
  const ok = await omemu(['cluster', '--help'], { OMEMU_V8_FLAGS: '' });
  assert.is(ok.code, 0, ok.stderr);
});

test.run();
