// Progress of a sweep on stderr, and only on a terminal (as every command's
// progress): a bar with an ETA weighted by each run's expected cost, so a few
// long runs do not fool it. Elsewhere (a log file, a Slurm job) nothing: the
// sweep's first and last lines say what it will do and what it did.
import cliProgress from 'cli-progress';
import { config_weight } from './config.ts';
import type { PlannedRun } from './grid.ts';

export class Progress {
  private bar: cliProgress.SingleBar | null;
  private done = 0;
  private weight_done = 0;
  private readonly total: number;

  constructor(
    name: string,
    todo: PlannedRun[],
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.total = todo.length;
    const total_w = todo.reduce((a, r) => a + config_weight(r.config), 0);
    this.bar = out.isTTY
      ? new cliProgress.SingleBar(
          { format: `${name} [{bar}] {runs}/{count} runs | {eta_formatted} left | {last}`, hideCursor: true, stream: out, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(Math.max(1, Math.round(total_w * 1000)), 0, { runs: 0, count: this.total, last: '' });
  }

  /** One run finished: `line` says what it gave. */
  tick(run: PlannedRun, line: string): void {
    this.done++;
    this.weight_done += config_weight(run.config);
    this.bar?.update(Math.round(this.weight_done * 1000), { runs: this.done, last: line });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
