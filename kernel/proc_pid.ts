// /proc/PID/{maps,status,where}: what the kernel knows of each task.
import type { Procfs } from './procfs.ts';
import type { Task } from './task.ts';

const STATE_TEXT: Record<string, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  T: 'T (stopped)',
  Z: 'Z (zombie)',
};

const kB = (bytes: number): string => `${Math.floor(bytes / 1024)}`.padStart(8) + ' kB';

export function proc_pid_status(t: Task): string {
  const mm = t.mm;
  const lines = [
    `Name:\t${t.comm}`,
    `State:\t${STATE_TEXT[t.state]}`,
    `Pid:\t${t.pid}`,
  ];
  if (mm) {
    lines.push(`VmSize:\t${kB(mm.vm_size_B())}`, `VmRSS:\t${kB(mm.rss_pages() * 4096)}`);
  }
  // 2.4 keeps these in /proc/PID/stat only; they are here too for people.
  lines.push(`MinFlt:\t${t.min_flt}`, `MajFlt:\t${t.maj_flt}`);
  return lines.join('\n') + '\n';
}

export function register_task_proc(procfs: Procfs): void {
  procfs.register('/proc/PID/maps', { read: ({ task }) => task!.mm?.proc_maps() ?? '' });
  procfs.register('/proc/PID/status', { read: ({ task }) => proc_pid_status(task!) });
  // openMosix: "home" while the process runs at home, else the node it is on.
  procfs.register('/proc/PID/where', {
    read: ({ task }) => (task!.node === task!.home ? 'home' : String(task!.node.id)) + '\n',
  });
}
