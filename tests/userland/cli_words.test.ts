// The command line's words and shared definitions: ordinals, plurals and
// significant figures; --scheme lists; one list of kernels; the network
// options of every command that runs a network; the kernel log's stamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import createDebug from 'debug';
import { format } from 'node:util';
import { Cluster } from '../../kernel/cluster.ts';
import { spawn_program } from '../../mm/exec.ts';
import { seqtouch } from '../../userland/programs/seqtouch.ts';
import { KLOG_NAMESPACES, klog_time } from '../../kernel/klog.ts';
import { PAPER_POLICIES, POLICIES } from '../../om/state.ts';
import { and_list, fields_text, ordinal, plural, secs, sig, text_value } from '../../userland/cli/format.ts';
import { KERNEL_NAMES, make_kernel } from '../../userland/cli/kernels.ts';
import { network_options } from '../../userland/cli/network.ts';
import { parse_schemes } from '../../userland/cli/schemes.ts';
import { live_view, UsageError } from '../../userland/cli/usage.ts';
import { HPCC_KERNELS } from '../../userland/hpcc/index.ts';

test('ordinals and plurals', () => {
  const want: [number, string][] = [[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [23, '23rd'], [101, '101st'], [111, '111th'], [112, '112th']];
  for (const [n, s] of want) assert.is(ordinal(n), s);
  assert.is(plural(1, 'migration'), '1 migration');
  assert.is(plural(0, 'migration'), '0 migrations');
  assert.is(plural(2, 'migration'), '2 migrations');
  assert.is(plural(3, 'process', 'processes'), '3 processes');
  assert.is(and_list(['a', 'b', 'c']), 'a, b and c');
});

test('times and ratios: three significant figures, no exponent, no trailing zeros; null is "-"', () => {
  assert.is(sig(0.98876), '0.989');
  assert.is(sig(0.0704151), '0.0704');
  assert.is(sig(12.3456), '12.3');
  assert.is(sig(0.425367), '0.425');
  assert.is(sig(1234.5), '1235');
  assert.is(sig(0.5), '0.5');
  assert.is(sig(0), '0');
  assert.is(sig(1e-7), '1e-7');
  assert.is(secs(0.070415), '0.0704 s');
  assert.is(secs(null), '-');
  // omemu ampom and explain print their records so: AMPoM's score and N to 3 figures, pages whole.
  assert.is(fields_text({ score: 0.6166666666666667, N: 1.2333333333333336, zone: [6, 7], pivots: [{ d: 3, pivot: 16 }] }, 6), 'score  0.617\nN      1.23\nzone   [6,7]\npivots [{"d":3,"pivot":16}]\n');
  assert.is(text_value('none: a hit'), 'none: a hit');
});

test('--scheme is a comma list everywhere; all and paper expand; each scheme once; a bad item is named', () => {
  assert.equal(parse_schemes('ampom'), ['ampom']);
  assert.equal(parse_schemes('noprefetch,ampom'), ['noprefetch', 'ampom']);
  assert.equal(parse_schemes('all'), POLICIES);
  assert.equal(parse_schemes('paper'), PAPER_POLICIES);
  assert.equal(parse_schemes('ampom,paper'), ['ampom', ...PAPER_POLICIES.filter((p) => p !== 'ampom')]);
  assert.throws(() => parse_schemes('ampom,magic'), (e: Error) => e instanceof UsageError && /got 'magic'/.test(e.message));
  assert.throws(() => parse_schemes('ampom,'), (e: Error) => e instanceof UsageError && /got 'ampom,'/.test(e.message));
});

test('one list of kernels: every HPCC kernel and seqtouch, made the same way for every command', () => {
  assert.equal([...KERNEL_NAMES].sort(), [...HPCC_KERNELS, 'seqtouch'].sort());
  for (const k of KERNEL_NAMES) assert.is(make_kernel(k, { mib: 1, passes: 1, mode: 'fast' }).name, k);
  assert.throws(() => make_kernel('linpack', { mib: 1, passes: 1, mode: 'fast' }), /--kernel 'linpack' is not known/);
});

/** The network options, as one definition gives them. */
const NETWORK_FLAGS = network_options(new Command()).options.map((o) => o.long!);

test('every command that runs a network takes the same network options', async () => {
  const program = new Command();
  for (const m of [await import('../../userland/cli/cmd_run.ts'), await import('../../userland/cli/cmd_replay.ts'), await import('../../userland/cli/cmd_chaos.ts'), await import('../../userland/cli/cmd_cluster.ts')]) m.register(program);
  for (const name of ['run', 'migrate', 'replay', 'chaos', 'cluster']) {
    const cmd = program.commands.find((c) => c.name() === name)!;
    const flags = cmd.options.map((o) => o.long);
    for (const f of NETWORK_FLAGS) assert.ok(flags.includes(f), `omemu ${name} takes ${f}`);
  }
  assert.equal(NETWORK_FLAGS, ['--partition-limit', '--profile', '--bandwidth', '--latency', '--cross-traffic', '--loss', '--duplicate', '--reorder']);
});

test('the kernel log: every namespace is described, and a line says which node and what virtual time, never the host time', () => {
  for (const [ns, what] of Object.entries(KLOG_NAMESPACES)) assert.ok(/^om:[a-z]+$/.test(ns) && what.length > 10, ns);
  assert.ok('om:balance' in KLOG_NAMESPACES);
  assert.is(klog_time(12_345_678_901), '12.345679');
  const lines: string[] = [];
  const saved = createDebug.log;
  createDebug.log = (...a: unknown[]) => void lines.push(format(...a));
  createDebug.enable('om:sched,om:syscall');
  try {
    const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
    spawn_program(c, c.node(1), seqtouch.image, seqtouch.program({ size_B: 8192, passes: 1 }));
    c.run(1e9);
  } finally {
    createDebug.disable();
    createDebug.log = saved;
  }
  assert.match(lines[0]!, /^om:sched \[node 1 t=0\.000000s\] pid \d+ \(seqtouch\) starts$/);
  assert.ok(lines.some((l) => /^om:syscall \[node 1 t=0\.0000\d\ds\] pid \d+: mmap\(0, 8192, 3, 34, -1, 0\) = \d+$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^om:syscall \[node 1 t=0\.\d{6}s\] pid \d+ exits with 0$/.test(l)), lines.join('\n'));
  assert.not.ok(lines.some((l) => /\d{4}-\d\d-\d\dT|\+\d+ms/.test(l)), 'no host date, no host-time difference');
});

test('a live view draws only on a terminal; elsewhere one note says why', () => {
  const saved = process.stderr.write.bind(process.stderr);
  let said = '';
  process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
  try {
    assert.ok(live_view('--monitor', { isTTY: true }));
    assert.is(said, '');
    assert.not.ok(live_view('--monitor', { isTTY: false }));
  } finally {
    process.stderr.write = saved;
  }
  assert.is(said, 'omemu: note: --monitor draws only on a terminal, and stderr is not one: no live view\n');
});

test.run();
