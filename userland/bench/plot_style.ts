// One look for every figure of the bench: the paper's kernels in the
// paper's order with the paper's names, one colour a scheme in every
// figure, and the marks that say where a value comes from: omemu's results
// are filled marks (with error bars where several seeds ran), the paper's
// values hollow diamonds, bounds and limits dashed lines. The pieces here
// are vega-lite layers the figures put together.
import { POLICIES } from '../../om/state.ts';
import { PAPER_KERNEL_ORDER } from './paper_values.ts';
import { wrap } from '../cli/format.ts';

export const KERNEL_NAME: Record<string, string> = { dgemm: 'DGEMM', stream: 'STREAM', randomaccess: 'RandomAccess', fft: 'FFT' };
/** The kernels' names in the paper's order (a facet's sort). */
export const KERNEL_ORDER_NAMES = PAPER_KERNEL_ORDER.map((k) => KERNEL_NAME[k]!);

export const SCHEME_NAME: Record<string, string> = { openmosix: 'openMosix', noprefetch: 'NoPrefetch', ampom: 'AMPoM' };
export const scheme_name = (s: string): string => SCHEME_NAME[s] ?? s;
/** Every scheme, the paper's three first, and a colour each (Tableau 10, fixed so a scheme keeps its colour from figure to figure). */
export const SCHEME_ORDER_NAMES = POLICIES.map(scheme_name);
// Beyond Tableau 10: light tints for today's far-memory prefetchers, black for the oracle (the bound).
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#9c755f', '#ff9da7', '#76b7b2', '#edc948', '#bab0ac', '#a0cbe8', '#8cd17d', '#d37295', '#000000'];
const color_of = (names: string[]): string[] => names.map((n) => PALETTE[SCHEME_ORDER_NAMES.indexOf(n)] ?? '#000000');

/** A colour scale over some schemes (their display names), in the order and colours every figure uses. */
export function scheme_color(names: string[] = SCHEME_ORDER_NAMES.slice(0, 3), title = 'scheme'): object {
  const domain = SCHEME_ORDER_NAMES.filter((n) => names.includes(n));
  return { field: 'scheme_name', type: 'nominal', title, scale: { domain, range: color_of(domain) }, sort: domain };
}

/** The legend of the marks, said once under each title. */
export const CONVENTION = 'filled: omemu · hollow ◇: the paper · dashed: a bound';

/** A record as the figures plot it: the paper's kernel and scheme names beside the record's own. */
export function named<T extends { kernel: string; scheme: string }>(r: T): T & { kernel_name: string; scheme_name: string } {
  return { ...r, kernel_name: KERNEL_NAME[r.kernel] ?? r.kernel, scheme_name: scheme_name(r.scheme) };
}

/**
 * A facet of one column a kernel, in the paper's order, laid out 'flush':
 * by the panels' own width, so a note's text (whose width vega can only
 * estimate when it draws headless) cannot push the panels apart; panels
 * with a y axis each get room for it.
 */
export const kernel_columns = (own_y_axes = false): object => ({
  facet: { column: { field: 'kernel_name', type: 'nominal', title: null, sort: KERNEL_ORDER_NAMES, header: { labelFontSize: 13, labelFontWeight: 'bold' } } },
  bounds: 'flush',
  spacing: own_y_axes ? 75 : 30,
});

/** The filter of a layer to the rows of one source ('omemu', 'paper', 'bound', 'note'). */
export const only = (source: string): object[] => [{ filter: `datum.source === '${source}'` }];

/** omemu's results: a line through filled points, coloured by scheme. */
export function omemu_line(x: object, y: object, color: object, extra: object = {}): object {
  return { transform: only('omemu'), mark: { type: 'line', point: { filled: true, size: 45, opacity: 1 }, strokeWidth: 2 }, encoding: { x, y, color, ...extra } };
}

/** The paper's values: hollow diamonds, larger than omemu's points so that a coincidence shows both. */
export function paper_points(x: object, y: object, color: object, extra: object = {}): object {
  return {
    transform: only('paper'),
    mark: { type: 'point', shape: 'diamond', filled: false, size: 220, strokeWidth: 2.2, opacity: 1 },
    encoding: { x, y, color, tooltip: [{ field: 'label', type: 'nominal' }], ...extra },
  };
}

/** Bounds and limits: dashed grey lines, labelled at their right end. */
export function bound_lines(x: object, y: object): object[] {
  return [
    { transform: only('bound'), mark: { type: 'line', strokeDash: [6, 4], color: '#555555', strokeWidth: 1.5 }, encoding: { x, y, detail: { field: 'label', type: 'nominal' } } },
    {
      transform: [...only('bound'), { filter: 'datum.label_here === true' }],
      mark: { type: 'text', align: 'right', dy: -7, fontSize: 10, color: '#333333' },
      encoding: { x, y, text: { field: 'label', type: 'nominal' } },
    },
  ];
}

/** A horizontal rule at a constant (a baseline or a paper's bound), with its label. */
export function rule_at(y_field: string, dashed: boolean): object[] {
  return [
    { transform: only(dashed ? 'hbound' : 'baseline'), mark: { type: 'rule', strokeDash: dashed ? [6, 4] : [], color: dashed ? '#555555' : '#999999', strokeWidth: 1.3 }, encoding: { y: { field: y_field, type: 'quantitative' } } },
    {
      transform: only(dashed ? 'hbound' : 'baseline'),
      mark: { type: 'text', align: 'left', baseline: 'bottom', x: 3, dy: -2, fontSize: 10, color: '#333333' },
      encoding: { y: { field: y_field, type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
    },
  ];
}

/** Words inside a panel (what did not happen, what coincides, what the paper says in words), at its top left, one row of data a panel. */
export function notes(): object {
  return {
    transform: only('note'),
    mark: { type: 'text', align: 'left', baseline: 'top', x: 4, y: 4, fontSize: 10, color: '#222222', lineBreak: '\n' },
    encoding: { text: { field: 'text', type: 'nominal' } },
  };
}

/** A panel's note from its lines (each wrapped to the panel's width), or none. */
export const note_text = (lines: string[], cols = 44): string | null => (lines.length === 0 ? null : lines.flatMap((l) => wrap(l, cols)).join('\n'));

/** The common top of a spec: schema, title with the convention under it, the data. */
export function top(title: string, values: object[], subtitle: string = CONVENTION): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: { text: title, subtitle, anchor: 'start', subtitleColor: '#444444' }, data: { values },
    config: { view: { stroke: '#dddddd' } },
  };
}

/**
 * Two values close enough to look like one mark on a figure: within 1% of
 * the larger (or both 0). Figures say so in words rather than let one hide
 * the other.
 */
export const coincide = (a: number, b: number): boolean => Math.abs(a - b) <= 0.01 * Math.max(Math.abs(a), Math.abs(b));
