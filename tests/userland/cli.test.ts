// The omemu command as a user meets it: spawned as a process, each bad
// input gives exit status 2 and one line on stderr that starts with
// 'omemu:' and names the input (no stack trace); a run that was killed or
// did not verify exits 1; a good run exits 0 with JSON on stdout (--json
// alone selects JSON), a migration that did not happen says why; --version,
// the exit rule and the debug namespaces in --help; DEBUG=om:* on every
// command that runs a cluster.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KLOG_NAMESPACES } from '../../kernel/klog.ts';
import { EXIT_RULE } from '../../userland/cli/usage.ts';
import { omemu, OMEMU } from '../helpers/omemu.ts';


/** Bad inputs: the arguments, and what the one-line error must say. */
const BAD: [string[], RegExp][] = [
  [['run', '--bandwidth', '0.001', '--mib', '1'], /--bandwidth 0\.001 Mb\/s is too low: infoD's own load updates need at least 0\.00\d+ Mb\/s/],
  [['run', '--kernel', 'randomaccess', '--mib', '3000'], /--mib 3000: randomaccess would map 2048 MiB, more than the 2040 MiB/],
  [['run', '--kernel', 'fft', '--mib', '3000'], /--mib 3000: fft would map \d+ MiB, more than/],
  [['ampom', '--window', '1,2', '--rate', '5'], /to compute N give --rate, --t0 and --td/],
  [['ampom', '--window', '1,2', '--dmax', '3'], /--dmax 3 must be less than the window length 2/],
  [['run', '--migrate-at', 'foo'], /--migrate-at: 'foo' is neither a mark this program passes \(setup_done, timed_done\)/],
  [['run', '--migrate-at', '+5ms'], /the first point '\+5ms' cannot be relative/],
  [['run', '--migrate-at', 'setup_done,+5ms'], /--migrate-at gives 2 points: give --path with a destination for each/],
  [['run', '--migrate-at', 'setup_done,+5ms', '--path', '1'], /--path names 1 destination for 2 --migrate-at points/],
  [['run', '--migrate-at', 'setup_done,+5ms', '--path', '1,1'], /destination 2 is node 1, where the process already is/],
  [['run', '--path', 'mars'], /--path: 'mars' is neither a node number nor 'home'/],
  [['cluster', '--scheme', 'oracle', '--jobs', '1'], /--scheme oracle runs only with omemu run, migrate or replay/],
  [['run', '--faults', 'crash:9@1s'], /--faults 'crash:9@1s': there is no node 9/],
  [['run', '--faults', 'crash:1@soon'], /--faults 'crash:1@soon': the time 'soon' is not a time/],
  [['run', '--faults', 'abort@mig_send_everything'], /'mig_send_everything' is not a step of mig_do_send/],
  [['run', '--faults', 'meteor'], /--faults: 'meteor' is not a fault/],
  [['run', '--kernel', 'nope'], /--kernel 'nope' is not known/],
  [['run', '--mode', 'slow'], /--mode must be exact or fast, got 'slow'/],
  [['run', '--preempt', 'yes'], /--preempt must be on or off, got 'yes'/],
  [['run', '--scheme', 'magic'], /--scheme must be .*, all or paper, got 'magic'/],
  [['run', '--mib', '-1'], /--mib must be a number from/],
  [['replay', '/nonexistent/trace.ompt'], /\/nonexistent\/trace\.ompt: cannot read/],
  [['chaos', '--runs', '0'], /--runs must be an integer from 1/],
  [['run', '--mib', '1', '--plot', '/nonexistent/dir/x.svg'], /--plot \/nonexistent\/dir\/x\.svg: cannot write there \(directory \/nonexistent\/dir does not exist\)/],
  [['sweep', '--kernel', 'stream', '--mib', '1', '--out', OMEMU], /--out .*omemu\.js: exists and is not a directory/],
  [['cluster', '--balancer', 'greedy'], /--balancer must be one of off, birth, mosix, hbd, got 'greedy'/],
  [['cluster', '--nodes', '1'], /--nodes must be an integer from 2 to 256, got '1'/],
  [['cluster', '--nodes', '4', '--speeds', '1,2'], /--speeds gives 2 speeds for 4 nodes/],
  [['cluster', '--workload', '/nonexistent/jobs.csv'], /--workload \/nonexistent\/jobs\.csv: no such file/],
  [['cluster', '--plot', '/nonexistent/dir/g.svg'], /--plot \/nonexistent\/dir\/g\.svg: cannot write there/],
  [['trace', 'from-kernel', '--kernel', 'stream', '-o', '/nonexistent/dir/x.ompt.gz'], /-o \/nonexistent\/dir\/x\.ompt\.gz: cannot write there/],
  [['proc', '--file', 'bogus'], /--file must be maps, status or where, got 'bogus'/],
  [['run', '--nope'], /unknown option '--nope'/],
  [['nope'], /unknown command 'nope'/],
  [['replay', '/nonexistent/trace.ompt', '--scheme', 'ampom,magic'], /--scheme must be a comma list of .*got 'magic'/],
  [['chaos', '--replay', '1', '--bandwidth', '0.001'], /--bandwidth 0\.001 Mb\/s is too low/],
];

test('every bad input: exit status 2 and one line naming the input, no stack trace', async () => {
  const outs = await Promise.all(BAD.map(([args]) => omemu(args)));
  outs.forEach((o, i) => {
    const [args, want] = BAD[i]!;
    const what = `omemu ${args.join(' ')}`;
    assert.is(o.code, 2, `${what}: exit status (stderr: ${o.stderr})`);
    assert.match(o.stderr, want, `${what}: ${o.stderr}`);
    assert.not.match(o.stderr, /\n\s+at /, `${what} printed a stack trace`);
    for (const line of o.stderr.trimEnd().split('\n')) assert.match(line, /^omemu: /, `${what}: every error line starts with 'omemu:'`);
    assert.is(o.stdout, '', `${what} printed to stdout`);
  });
});

test('a good run exits 0 with its JSON; a run whose task was killed exits 1 and says why', async () => {
  const [good, killed] = await Promise.all([
    omemu(['run', '--kernel', 'seqtouch', '--mib', '2', '--scheme', 'ampom', '--json']),
    omemu(['run', '--kernel', 'seqtouch', '--mib', '4', '--passes', '200', '--scheme', 'noprefetch', '--faults', 'crash:0@200ms', '--json']),
  ]);
  assert.is(good.code, 0, good.stderr);
  const g = JSON.parse(good.stdout);
  assert.is(g.outcome, 'completed');
  assert.ok(g.verified);
  assert.is(killed.code, 1, killed.stderr);
  const k = JSON.parse(killed.stdout);
  assert.is(k.outcome, 'killed');
  assert.match(k.reason, /home node 0 unreachable/);
  assert.is(k.leaked_frames, 0);
  assert.equal(k.faults, [{ fault: 'crash:0@200ms', injected_s: 0.2 }]);
  assert.equal(k.crashed_nodes, [0], 'the figures say whose counts are missing');
  assert.equal(g.crashed_nodes, []);
});

test('a migration that did not happen: its reason, null times in JSON, "did not migrate: <reason>" in text (run and replay); --scheme takes a list', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-cli-'));
  const trace = join(dir, 'seqtouch.ompt');
  const made = await omemu(['trace', 'from-kernel', '--kernel', 'seqtouch', '--mib', '1', '-o', trace]);
  assert.is(made.code, 0, made.stderr);
  const [json, text, rj, rt] = await Promise.all([
    omemu(['run', '--kernel', 'seqtouch', '--mib', '1', '--no-migrate', '--json']),
    omemu(['run', '--kernel', 'seqtouch', '--mib', '1', '--no-migrate']),
    // Pre-copy's rounds take longer than this program: it ends while its migration is under way.
    omemu(['replay', trace, '--scheme', 'precopy,ampom', '--json']),
    omemu(['replay', trace, '--scheme', 'precopy']),
  ]);
  for (const o of [json, text, rj, rt]) assert.is(o.code, 0, o.stderr);
  const j = JSON.parse(json.stdout);
  assert.is(j.migrated, false);
  assert.is(j.freeze_s, null);
  assert.is(j.downtime_s, null);
  assert.is(j.total_migration_s, null);
  assert.is(j.not_migrated_reason, 'no migration was asked for');
  assert.match(text.stdout, /completed, did not migrate: no migration was asked for, runtime /);
  assert.not.match(text.stdout, /freeze/);
  const [pre, am] = JSON.parse(rj.stdout);
  assert.is(pre.scheme, 'precopy');
  assert.is(pre.migrated, false);
  assert.is(pre.freeze_s, null);
  assert.is(pre.not_migrated_reason, 'the program ended while migration 1 was under way');
  assert.is(am.scheme, 'ampom');
  assert.ok(am.migrated && am.freeze_s > 0 && am.not_migrated_reason === null);
  assert.match(rt.stdout, /precopy on fast-ethernet: completed, did not migrate: the program ended while migration 1 was under way, /);
  assert.ok(String(am.freeze_s).replace(/^0\.0*/, '').length > 3, `JSON keeps every digit: ${am.freeze_s}`);
});

test('--version and -V: the version and the commit; --help: the exit rule and every debug namespace', async () => {
  const [v, V, help] = await Promise.all([omemu(['--version']), omemu(['-V']), omemu(['--help'])]);
  assert.is(v.code, 0);
  assert.match(v.stdout, /^omemu \d+\.\d+\.\d+\ncommit ([0-9a-f]{7,40}(-dirty)?|unknown .*)\nsources [0-9a-f]{12} /);
  assert.is(V.stdout, v.stdout);
  assert.is(help.code, 0);
  const flat = help.stdout.replace(/\s+/g, ' ');
  assert.ok(flat.includes(EXIT_RULE.replace(/\s+/g, ' ')), 'the exit rule is in --help');
  for (const ns of Object.keys(KLOG_NAMESPACES)) assert.match(help.stdout, new RegExp(`^  ${ns} `, 'm'), `${ns} is listed`);
});

test('DEBUG=om:* shows lines stamped with node and virtual time on every command that runs a cluster', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'omemu-cli-'));
  const trace = join(dir, 'seqtouch.ompt');
  const cmds: string[][] = [
    ['run', '--kernel', 'seqtouch', '--mib', '0.25'],
    ['proc', '--mib', '1', '--file', 'where'],
    ['trace', 'from-kernel', '--kernel', 'seqtouch', '--mib', '0.25', '-o', trace],
    ['chaos', '--replay', '2100063'],
    ['sweep', '--kernel', 'seqtouch', '--mib', '0.25', '--workers', '1', '--out', join(dir, 'sweep')],
  ];
  const outs = await Promise.all(cmds.map((c) => omemu(c, { DEBUG: 'om:*' })));
  const replay = await omemu(['replay', trace], { DEBUG: 'om:*' });
  // The text of a run: figures to sensible significant figures, plurals right (JSON keeps full precision).
  assert.match(outs[0]!.stdout, /, migrated, freeze 0\.0\d{1,3} s, runtime 0\.0?\d{1,3} s, \d+ remote fault requests?, /);
  assert.not.match(outs[0]!.stdout, /\d\.\d{5,}/, 'no figure with 5 or more decimals in text');
  assert.not.match(outs[0]!.stdout, /\b1 [a-z ]*requests\b|\b1 pages\b|\b1 migrations\b/);
  // chaos --replay without --json: text, and the promise.
  assert.match(outs[3]!.stdout, /^stream \[.*\] noprefetch on fast-ethernet: killed \(.*\)[^]*\npromise kept\n$/);
  [...outs, replay].forEach((o, i) => {
    const what = `omemu ${(cmds[i] ?? ['replay'])[0]}`;
    assert.match(o.stderr, /^om:[a-z]+ \[node \d+ t=\d+\.\d{6}s\] /m, `${what} logs with DEBUG=om:*: ${o.stderr.slice(0, 300)}`);
    assert.not.match(o.stderr, /^\d{4}-\d\d-\d\dT/m, `${what}: no host date`);
  });
});

test('progress goes only to a terminal, --json selects JSON: omemu chaos and chaos --replay --json', async () => {
  const [summary, json] = await Promise.all([omemu(['chaos', '--runs', '1', '--seed', '21', '--workers', '1']), omemu(['chaos', '--replay', '2100063', '--json'])]);
  assert.is(summary.code, 0, summary.stderr);
  assert.is(summary.stderr, '', 'no progress when stderr is not a terminal');
  assert.match(summary.stdout, /^runs {17}1\n/);
  assert.match(json.stderr, /^omemu: chaos seed 2100063 is: omemu run --kernel stream /);
  const j = JSON.parse(json.stdout);
  assert.is(j.promise, 'kept');
  assert.is(j.plan.seed, 2100063);
});

test.run();
