// --partition-limit on every command that runs a network: a migrant pauses
// through a partition shorter than the limit and completes (its pause in
// the text and the JSON), is killed with the unreachable node named once
// the limit passes, and openMosix's rule (0) kills it at once; a bad value
// is a usage error naming the option; sweeps take it as a field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIG_DEFAULTS, ConfigError, run_spec_of, type RunConfig } from '../../userland/sweep/config.ts';
import { DEFAULT_PARTITION_LIMIT_NS } from '../../om/pause.ts';
import { omemu } from '../helpers/omemu.ts';

const RUN = ['run', '--kernel', 'stream', '--mib', '4', '--faults', 'partition:0-1@300ms+20s'];

test('run: a 20 s partition is paused through under the default limit, kills at 5 s, and at once with 0', async () => {
  const [paused, short, zero, text] = await Promise.all([
    omemu([...RUN, '--json']),
    omemu([...RUN, '--partition-limit', '5', '--json']),
    omemu([...RUN, '--partition-limit', '0', '--json']),
    omemu(RUN),
  ]);
  const p = JSON.parse(paused.stdout);
  assert.is(paused.code, 0, paused.stderr);
  assert.is(p.outcome, 'completed');
  assert.ok(p.verified);
  assert.is(p.pauses, 1);
  assert.ok(p.paused_s > 10 && p.paused_s < 20, `paused ${p.paused_s} s`);
  assert.match(text.stdout, /, paused \d+(\.\d+)? s \(1 pause\), /);
  const s = JSON.parse(short.stdout);
  const z = JSON.parse(zero.stdout);
  assert.is(short.code, 1);
  assert.is(s.outcome, 'killed');
  assert.match(s.reason, /node [01] unreachable for 5 s/);
  assert.is(s.lost_pages, 0);
  assert.is(s.leaked_frames, 0);
  assert.is(z.outcome, 'killed');
  assert.match(z.reason, /node [01] unreachable$/);
  // Killed at once is sooner than killed after 5 s.
  assert.ok(z.total_s < s.total_s, `${z.total_s} s with 0, ${s.total_s} s with 5`);
});

test('a bad --partition-limit is a usage error naming it; cluster, replay and chaos take the option', async () => {
  const bad = await omemu(['run', '--kernel', 'stream', '--mib', '1', '--partition-limit', 'soon']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /^omemu: .*--partition-limit must be a number from 0 to 86400, got 'soon'/);
  const helps = await Promise.all(['cluster', 'replay', 'chaos', 'run'].map((c) => omemu([c, '--help'])));
  for (const h of helps) assert.match(h.stdout, /--partition-limit <s>/);
});

test('sweep: partition_limit is a field (s), default 60, checked', () => {
  const c: RunConfig = { ...CONFIG_DEFAULTS, kernel: 'stream', mib: 1 };
  assert.is(run_spec_of(c).partition_limit_ns, DEFAULT_PARTITION_LIMIT_NS);
  assert.is(run_spec_of({ ...c, partition_limit: 2.5 }).partition_limit_ns, 2.5e9);
  assert.throws(() => run_spec_of({ ...c, partition_limit: -1 }), (e: unknown) => e instanceof ConfigError && /partition_limit must be from 0 to 86400 s, got -1/.test((e as Error).message));
});

test.run();
