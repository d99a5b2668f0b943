// The bench replays traces of real programs (gzip, sort under valgrind's
// lackey) under every scheme: the sweep runs a 'trace:FILE' kernel as
// `omemu replay FILE` does, and REPORT.md gives each scheme's share of the
// blocked time closed on them, with ampom-push held to 60%.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { POLICIES } from '../../om/state.ts';
import { bench_plan, config_of, TRACES } from '../../userland/bench/plan.ts';
import type { BenchRecord } from '../../userland/bench/record.ts';
import { traces_md } from '../../userland/bench/report_traces.ts';
import { run_experiment } from '../../userland/experiment.ts';
import { ConfigError, normalize, replay_node_mem_B, run_spec_of } from '../../userland/sweep/config.ts';
import { make_profile } from '../../net/profiles.ts';
import { load_trace } from '../../userland/trace/ompt.ts';
import { replay_program } from '../../userland/trace/replay.ts';

test('the plan replays every trace under every scheme, at its own size whatever the scale', () => {
  for (const scale of [1, 1 / 8]) {
    const jobs = bench_plan(scale, 'bench').filter((j) => j.figure === 'traces');
    assert.is(jobs.length, TRACES.length * POLICIES.length);
    for (const t of TRACES) assert.ok(jobs.some((j) => config_of(j, 1).kernel === `trace:${t.file}`), t.name);
  }
});

test('every trace the bench names is in the repository and replays, its bytes verified, under ampom-push', () => {
  for (const t of TRACES) {
    const r = run_experiment(run_spec_of(normalize({ kernel: `trace:${t.file}`, mib: 0, scheme: 'ampom-push' })));
    assert.ok(r.migrated && r.verified, `${t.name}: ${r.failures.join('; ')}`);
  }
});

test("a 'trace:FILE' kernel runs as omemu replay runs it; a missing file is refused by name", () => {
  const file = TRACES[0]!.file;
  for (const scheme of ['noprefetch', 'ampom-push'] as const) {
    const config = normalize({ kernel: `trace:${file}`, mib: 0, scheme });
    const via_sweep = run_experiment(run_spec_of(config));
    const program = replay_program(load_trace(file), {});
    const direct = run_experiment({ program, scheme, profile: make_profile('fast-ethernet'), seed: config.seed, node_mem_B: replay_node_mem_B(program.layout.footprint_pages * 4096) });
    assert.ok(via_sweep.verified && via_sweep.migrated, scheme);
    assert.is(via_sweep.runtime_s, direct.runtime_s, scheme);
    assert.is(via_sweep.blocked_s, direct.blocked_s, scheme);
  }
  assert.throws(() => run_spec_of(normalize({ kernel: 'trace:no/such.ompt.gz', mib: 0 })), (e: unknown) => e instanceof ConfigError && /trace:no\/such\.ompt\.gz/.test(String(e)));
});

const rec = (trace: string, scheme: string, blocked_s: number, freeze_s: number | null = 0.07): BenchRecord =>
  ({ figure: 'traces', kernel: `trace:${trace}`, scheme, freeze_s, blocked_s, runtime_s: 0.1 + blocked_s, blocked_waits: 3, problem: '142 references' }) as BenchRecord;

test('the share each scheme closes on a trace, ampom-push against its goal, and the most a real scheme closes', () => {
  const g = TRACES[0]!;
  const rs = [rec(g.file, 'oracle', 0.03), { ...rec(g.file, 'ampom-push', 0.075), pushed_pages: 240, remote_fault_requests: 90 }, { ...rec(g.file, 'noprefetch', 0.06), remote_fault_requests: 170 }, rec(g.file, 'hermit', 0.054), rec(g.file, 'openmosix', 0, 0.15)];
  const md = traces_md(rs).join('\n');
  assert.match(md, /\| ampom-push \| 0\.070 \| 0\.0750 \| 3 \| 0\.1750 \| -50% \|/);
  assert.match(md, /\| hermit \| 0\.070 \| 0\.0540 \| 3 \| 0\.1540 \| 20% \|/);
  assert.match(md, /\| openmosix \| 0\.150 \| 0\.0000 \| 3 \| 0\.1000 \| \(downtime 0\.1500 s\) \|/);
  assert.ok(g.tuned, 'the first trace is one the push order was tuned on');
  assert.match(md, new RegExp(`- ${g.name} \\(tuned on\\): ampom-push closes -50% \\(goal at least 60%: \\*\\*missed\\*\\*\\); the most any real scheme closes is 20% \\(hermit\\)\\. It pushed 240 pages, each request steering the push on from its fault, its demand ahead of the push on the wire; NoPrefetch made 170 requests after the migration, and ampom-push 90\\.`));
  assert.equal(traces_md([rec(g.file, 'noprefetch', 0.06)]), [], 'no oracle: no section');
  assert.not.match(md, /Held out:/, 'no held-out trace ran: no held-out line');
});

test('the traces held out from the push\'s tuning are counted apart: how many meet the goal, the range and the median', () => {
  const held = TRACES.filter((t) => !t.tuned);
  assert.ok(held.length >= 3, 'at least three held-out traces');
  assert.ok(TRACES.some((t) => t.tuned), 'and the tuned ones named as such');
  // NoPrefetch 0.1 s blocked, the oracle 0: ampom-push's blocked time is what it leaves.
  const left = [0.02, 0.5, 0.3];
  const rs = held.slice(0, 3).flatMap((t, i) => [rec(t.file, 'oracle', 0), rec(t.file, 'noprefetch', 0.1), { ...rec(t.file, 'ampom-push', 0.1 * left[i]!), pushed_pages: 1, remote_fault_requests: 1 }]);
  const md = traces_md(rs).join('\n');
  assert.match(md, new RegExp(`- ${held[0]!.name} \\(held out\\): ampom-push closes 98% \\(goal at least 60%: met\\)`));
  assert.match(md, /- Held out: ampom-push meets the goal on 2 of 3 traces; the shares it closes run from 50% to 98% \(median 70%\)\./);
});

test.run();
