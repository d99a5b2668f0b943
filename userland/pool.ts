// Run jobs on worker threads, one per core: each worker loads `module` and
// calls its handle(job). Results come back in job order whatever order the
// workers finish in. A job that throws is reported, not fatal.
//
// Callers name the module by its source (new URL('./worker.ts',
// import.meta.url)); when this file runs compiled (dist/, see
// userland/compile.js) the worker loads the compiled twin beside it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface PoolDone<R> {
  index: number;
  result?: R;
  error?: string;
}

export async function run_pool<J, R>(
  module: URL,
  jobs: J[],
  on_done: (d: PoolDone<R>, finished: number) => void,
  workers = availableParallelism(),
): Promise<PoolDone<R>[]> {
  const out: PoolDone<R>[] = new Array(jobs.length);
  if (jobs.length === 0) return out;
  let next = 0;
  let finished = 0;
  const n = Math.max(1, Math.min(workers, jobs.length));
  const href = import.meta.url.endsWith('.js') ? module.href.replace(/\.ts$/, '.js') : module.href;
  await new Promise<void>((resolve, reject) => {
    let live = n;
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL('./pool_boot.js', import.meta.url), { workerData: { module: href } });
      const feed = (): void => {
        if (next >= jobs.length) {
          void worker.terminate();
          if (--live === 0) resolve();
          return;
        }
        const id = next++;
        worker.postMessage({ id, job: jobs[id] });
      };
      worker.on('message', (m: { id: number; result?: R; error?: string }) => {
        const d: PoolDone<R> = { index: m.id, result: m.result, error: m.error };
        out[m.id] = d;
        on_done(d, ++finished);
        feed();
      });
      worker.on('error', reject);
      feed();
    }
  });
  return out;
}
