// The emulated kernel's log (printk under DEBUG): `DEBUG=om:*` (or a comma
// list of namespaces) writes what the nodes do to stderr, each line stamped
// with the node and the virtual time it happened at, never the host's:
//
//   om:mig [node 1 t=0.012345s] pid 100 resumes, freeze 70415070 ns
//
// A call site passes the node it runs on; with its namespace off a call
// costs one test of a boolean (the hot path checks `.enabled` first).
import createDebug from 'debug';
import type { Node } from './node.ts';

/** Every namespace, and what it tells (omemu --help lists them). */
export const KLOG_NAMESPACES = {
  'om:sched': 'the scheduler: a task starts, another takes the CPU, one is preempted',
  'om:syscall': 'system calls a task makes, and its exit',
  'om:fault': 'page faults that end a task (SIGSEGV)',
  'om:net': 'frames on the wire, and nodes that crash',
  'om:comm': 'every openMosix message sent, with its size',
  'om:mig': 'migrations: freeze, pre-copy rounds, resume, abort, refusal',
  'om:remote': 'remote page faults of a migrant',
  'om:deputy': "the deputy and page holders: pushes, lost peers, unexpected messages",
  'om:balance': "the load balancer's decisions",
} as const;

export type KlogNamespace = keyof typeof KLOG_NAMESPACES;

export interface Klog {
  (node: Node, fmt: string, ...args: unknown[]): void;
  /** Whether the namespace is on (test it before building costly arguments). */
  readonly enabled: boolean;
}

// One format for every line: the namespace, then the message (no host date,
// no colour, no host-time difference: a log is as deterministic as a run).
createDebug.formatArgs = function (this: createDebug.Debugger, args: unknown[]): void {
  args[0] = `${this.namespace} ${String(args[0])}`;
};

/** The seconds of virtual time a log line shows: ns to s with 6 decimals (µs). */
export const klog_time = (ns: number): string => (ns / 1e9).toFixed(6);

/** The logger of one namespace. */
export function kdebug(ns: KlogNamespace): Klog {
  const d = createDebug(ns);
  const log = (node: Node, fmt: string, ...args: unknown[]): void => {
    if (!d.enabled) return;
    d(`[node ${node.id} t=${klog_time(node.cluster.queue.now_ns)}s] ${fmt}`, ...args);
  };
  Object.defineProperty(log, 'enabled', { get: () => d.enabled });
  return log as Klog;
}
