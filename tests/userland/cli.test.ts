// The omemu command as a user meets it: spawned as a process, each bad
// input gives exit status 2 and one line on stderr that names the input (no
// stack trace); a run that was killed or did not verify exits 1; a good run
// exits 0 with JSON on stdout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OMEMU = fileURLToPath(new URL('../../userland/cli/omemu.js', import.meta.url));

interface Out { code: number; stdout: string; stderr: string }

function omemu(args: string[]): Promise<Out> {
  return new Promise((resolve) => {
    execFile(process.execPath, [OMEMU, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

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
  [['run', '--faults', 'crash:9@1s'], /--faults 'crash:9@1s': there is no node 9/],
  [['run', '--faults', 'crash:1@soon'], /--faults 'crash:1@soon': the time 'soon' is not a time/],
  [['run', '--faults', 'abort@mig_send_everything'], /'mig_send_everything' is not a step of mig_do_send/],
  [['run', '--faults', 'meteor'], /--faults: 'meteor' is not a fault/],
  [['run', '--kernel', 'nope'], /--kernel 'nope' is not known/],
  [['run', '--mode', 'slow'], /--mode must be exact or fast, got 'slow'/],
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
];

test('every bad input: exit status 2 and one line naming the input, no stack trace', async () => {
  const outs = await Promise.all(BAD.map(([args]) => omemu(args)));
  outs.forEach((o, i) => {
    const [args, want] = BAD[i]!;
    const what = `omemu ${args.join(' ')}`;
    assert.is(o.code, 2, `${what}: exit status (stderr: ${o.stderr})`);
    assert.match(o.stderr, want, `${what}: ${o.stderr}`);
    assert.not.match(o.stderr, /\n\s+at /, `${what} printed a stack trace`);
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

test.run();
