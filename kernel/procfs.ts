// A small /proc: files are text produced on read, some take writes.
//
// Subsystems register entries by path pattern; "PID" in a pattern matches a
// task id. Each node has its own view: /proc/PID lists the tasks whose home
// is that node (as openMosix shows a migrated process at home), and files such
// as /proc/net/dev describe that node.
import { EINVAL, ENOENT, ESRCH } from './errno.ts';
import type { Node } from './node.ts';
import type { Task } from './task.ts';

export interface ProcCtx {
  node: Node;
  /** The task for a /proc/PID/... path. */
  task?: Task;
  /** Values of other numeric components (e.g. N in /proc/hpc/nodes/N/load). */
  params: number[];
}

export interface ProcEntry {
  read(ctx: ProcCtx): string;
  /** Returns 0 or -errno. */
  write?(ctx: ProcCtx, data: string): number;
}

export type ProcResult = { ok: true; text: string } | { ok: false; errno: number; message: string };

export class Procfs {
  private entries: { parts: string[]; entry: ProcEntry }[] = [];
  /** Registrations so far: what was looked up (entry_of) holds while it does not move. */
  generation = 0;

  /** Add an entry, or replace the one with the same pattern (a module
   *  loaded later, such as om's writable /proc/PID/where). */
  register(pattern: string, entry: ProcEntry): void {
    this.generation++;
    const parts = pattern.split('/').filter(Boolean);
    const i = this.entries.findIndex((e) => e.parts.join('/') === parts.join('/'));
    if (i >= 0) this.entries[i] = { parts, entry };
    else this.entries.push({ parts, entry });
  }

  /** The entry registered for a pattern, if any (the entry itself: its owner may answer for it without the text). */
  entry_of(pattern: string): ProcEntry | undefined {
    const parts = pattern.split('/').filter(Boolean).join('/');
    return this.entries.find((e) => e.parts.join('/') === parts)?.entry;
  }

  /** All registered patterns (for listings and help). */
  patterns(): string[] {
    return this.entries.map((e) => '/' + e.parts.join('/'));
  }

  private resolve(node: Node, path: string): { entry: ProcEntry; ctx: ProcCtx } | { errno: number; message: string } {
    const parts = path.split('/').filter(Boolean);
    for (const { parts: pat, entry } of this.entries) {
      if (pat.length !== parts.length) continue;
      const ctx: ProcCtx = { node, params: [] };
      let ok = true;
      for (let i = 0; i < pat.length && ok; i++) {
        const p = pat[i]!;
        const v = parts[i]!;
        if (p === 'PID' || p === 'N') {
          if (!/^\d+$/.test(v)) { ok = false; break; }
          const num = Number(v);
          if (p === 'PID') {
            const t = node.cluster.tasks.get(num);
            if (!t || t.home !== node) return { errno: ESRCH, message: `${path}: no process ${num} on ${node.name}` };
            ctx.task = t;
          } else ctx.params.push(num);
        } else if (p !== v) ok = false;
      }
      if (ok) return { entry, ctx };
    }
    return { errno: ENOENT, message: `${path}: no such file in /proc` };
  }

  read(node: Node, path: string): ProcResult {
    const r = this.resolve(node, path);
    if ('errno' in r) return { ok: false, errno: r.errno, message: r.message };
    return { ok: true, text: r.entry.read(r.ctx) };
  }

  write(node: Node, path: string, data: string): ProcResult {
    const r = this.resolve(node, path);
    if ('errno' in r) return { ok: false, errno: r.errno, message: r.message };
    if (!r.entry.write) return { ok: false, errno: EINVAL, message: `${path}: not writable` };
    const rc = r.entry.write(r.ctx, data);
    return rc < 0 ? { ok: false, errno: -rc, message: `${path}: write refused` } : { ok: true, text: '' };
  }
}
