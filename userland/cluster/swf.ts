// The Standard Workload Format (SWF 2.2, the Parallel Workloads Archive's):
// a line a job of 18 whitespace-separated numbers, `;` lines the header, -1
// for what is unknown. omemu reads field 1 (job number), 2 (submit time, s),
// 4 (run time, s), 5 (allocated processors) and 7 (used memory, KB a
// processor); a line that is not 18 numbers, or whose processors or run time
// make no sense, is refused naming its line.
export class SwfError extends Error {}

export interface SwfJob {
  id: number;
  submit_s: number;
  run_s: number;
  procs: number;
  /** Used memory, KB a processor (-1: unknown). */
  mem_kB_per_proc: number;
  /** Line in the file (1-based). */
  line: number;
}

export const SWF_FIELDS = 18;

export function parse_swf(text: string, file: string): SwfJob[] {
  const out: SwfJob[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';')) continue;
    const where = `${file}:${i + 1}`;
    const f = line.split(/\s+/);
    if (f.length !== SWF_FIELDS) throw new SwfError(`${where}: an SWF job line has ${SWF_FIELDS} fields, this one ${f.length}: '${line.slice(0, 80)}'`);
    const x = f.map(Number);
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new SwfError(`${where}: field ${bad + 1} is not a number: '${f[bad]}'`);
    const [id, submit, , run, procs, , mem] = x as [number, number, number, number, number, number, number];
    if (!(submit >= 0)) throw new SwfError(`${where}: field 2 (submit time) must be >= 0, got ${f[1]}`);
    if (!(run >= 0)) throw new SwfError(`${where}: field 4 (run time) must be >= 0, got ${f[3]} (an unknown run time cannot be replayed)`);
    if (!(Number.isInteger(procs) && procs >= 1)) throw new SwfError(`${where}: field 5 (allocated processors) must be a whole number >= 1, got ${f[4]}`);
    out.push({ id, submit_s: submit, run_s: run, procs, mem_kB_per_proc: mem > 0 ? mem : -1, line: i + 1 });
  }
  if (out.length === 0) throw new SwfError(`${file}: no job lines in it`);
  return out;
}
