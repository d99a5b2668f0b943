// A worker thread of userland/pool.ts: load the module named in workerData
// and answer each job with what its handle() returns. A compiled module
// (dist/.../*.js) loads as it is; a source one (.ts, under the tests and in
// development) needs tsx, since Node 20 does not load TypeScript.
import { parentPort, workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const mod = await import(workerData.module);
parentPort.on('message', (msg) => {
  let reply;
  try {
    reply = { id: msg.id, result: mod.handle(msg.job) };
  } catch (e) {
    reply = { id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
  parentPort.postMessage(reply);
});
