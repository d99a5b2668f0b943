// A worker thread of userland/pool.ts: Node 20 does not load .ts worker
// scripts, so register tsx here, then load the module named in workerData
// and answer each job with what its handle() returns.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
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
