// The omemu command as a user runs it (userland/cli/omemu.js, which runs
// the build in dist/), in a child process with a clean environment: no
// DEBUG and no SLURM_* of the caller, no colour; what `env` adds on top.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const OMEMU = fileURLToPath(new URL('../../userland/cli/omemu.js', import.meta.url));

export interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

export function omemu(args: string[], env: Record<string, string> = {}): Promise<Out> {
  return new Promise((resolve) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DEBUG' && !k.startsWith('SLURM_')));
    execFile(process.execPath, [OMEMU, ...args], { env: { ...base, NO_COLOR: '1', ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
