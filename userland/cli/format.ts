// Numbers and words in the command line's text output (JSON keeps every
// figure at full precision): ordinals, plurals, and times and ratios with
// as many significant figures as they mean; words wrapped into lines.

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd ... */
export function ordinal(n: number): string {
  const tens = Math.abs(n) % 100;
  const ones = Math.abs(n) % 10;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ones === 1 ? 'st' : ones === 2 ? 'nd' : ones === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** '1 migration', '2 migrations', '0 migrations'; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * x with `digits` significant figures (3 by default), without an exponent
 * or trailing zeros: 0.98876 -> '0.989', 0.0704151 -> '0.0704', 12.3456 ->
 * '12.3', 1234.5 -> '1235' (a number that has more integer digits keeps
 * them all).
 */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) >= 10 ** digits) return String(Math.round(x));
  return String(Number(x.toPrecision(digits)));
}

/** A duration in seconds, for text: '0.989 s', '12.3 s'; null (did not happen) as '-'. */
export const secs = (x: number | null): string => (x === null ? '-' : `${sig(x)} s`);

/** A share as a percentage with sensible figures: 0.1234 -> '12.3%'. */
export const pct = (share: number): string => `${sig(100 * share)}%`;

/** A list in English: 'a', 'a and b', 'a, b and c'. */
export function and_list(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** A value for a text line: numbers that are not whole to 3 significant figures, lists and records as JSON. */
export function text_value(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isInteger(x) ? Number(sig(x)) : x));
}

/** A record as 'key  value' lines, keys padded to `width`. */
export const fields_text = (r: Record<string, unknown>, width: number): string =>
  Object.entries(r).map(([k, v]) => `${k.padEnd(width)} ${text_value(v)}\n`).join('');

/** Words into lines of at most `cols` characters. */
export function wrap(text: string, cols = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > cols) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  return line ? [...lines, line] : lines;
}
