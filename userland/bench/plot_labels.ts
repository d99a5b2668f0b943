// Where the name of each point of a scatter goes, so that no name covers
// another or a point: vega-lite draws text where it is told and has no
// label placement of its own (vega's label transform is not reachable from
// a vega-lite spec). Points at nearly the same x (a column: the schemes
// that freeze alike) are labelled as a column too: their names stack
// beside it, in the points' order from top to bottom so that no two leader
// lines cross, each as near its point's height as the stack allows (an
// isotonic regression: the least squared displacement with names a line
// apart). A column takes the side of it with room for its widest name,
// both sides (alternate points) when both have room. Text widths are
// estimated: the figures draw headless, so vega can only estimate them too.

export interface LabelPoint {
  /** Position in the panel, px from the left and from the top. */
  x_px: number;
  y_px: number;
  text: string;
  /** Half the size of the point's mark, px. */
  r_px?: number;
}

export interface PlacedLabel {
  /** The text's anchor (its left end for 'left', its right end for 'right'), px. */
  x_px: number;
  y_px: number;
  align: 'left' | 'right';
  /** Whether a leader line joins the name to its point (the name left its point's row, or its column has several points). */
  leader: boolean;
}

/** DejaVu Sans at 10 px: about 6 px a character on average, a little more to be safe. */
export const text_width_px = (text: string, font_px = 10): number => text.length * 0.62 * font_px + 2;

/** Points closer than this across to a column's leftmost point are in the column, px. */
const COLUMN_PX = 24;
/** From a column's outermost point to its names, px (room for the leaders to slant). */
const OFFSET_PX = 16;

/**
 * Positions y_i as near the wanted w_i (ascending) as can be with y_{i+1} -
 * y_i >= step and every y within [lo, hi]: pool-adjacent-violators on
 * w_i - i step.
 */
export function stack(wanted: number[], step: number, lo: number, hi: number): number[] {
  const n = wanted.length;
  const blocks: { sum: number; count: number }[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push({ sum: wanted[i]! - i * step, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.sum / blocks[blocks.length - 2]!.count > blocks[blocks.length - 1]!.sum / blocks[blocks.length - 1]!.count) {
      const b = blocks.pop()!;
      blocks[blocks.length - 1]!.sum += b.sum;
      blocks[blocks.length - 1]!.count += b.count;
    }
  }
  const q: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.count; k++) q.push(b.sum / b.count);
  // Clamping each q keeps them ascending: the stack slides into the panel (or, taller than it, starts at its top).
  const top = Math.max(lo, hi - (n - 1) * step);
  return q.map((v, i) => Math.min(Math.max(v, lo), top) + i * step);
}

/** Place every point's name in a panel of width x height px. Deterministic: the same points give the same places. */
export function place_labels(points: LabelPoint[], width: number, height: number, font_px = 10): PlacedLabel[] {
  const line_px = font_px + 2;
  const order = points.map((_, i) => i).sort((a, b) => points[a]!.x_px - points[b]!.x_px || points[a]!.y_px - points[b]!.y_px);
  const columns: number[][] = [];
  for (const i of order) {
    const last = columns[columns.length - 1];
    // Measured from the column's first point, so that a chain of near points does not make one wide column.
    if (last && points[i]!.x_px - points[last[0]!]!.x_px < COLUMN_PX) last.push(i);
    else columns.push([i]);
  }
  const out: PlacedLabel[] = new Array(points.length);
  /** How far right the previous column's names reach. */
  let right_edge = 0;
  columns.forEach((col, c) => {
    const xs = col.map((i) => points[i]!.x_px);
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const need = Math.max(...col.map((i) => text_width_px(points[i]!.text, font_px))) + OFFSET_PX + 2;
    const next = columns[c + 1];
    const room_left = x0 - right_edge;
    const room_right = (next ? Math.min(...next.map((i) => points[i]!.x_px)) : width) - x1;
    const left_ok = room_left >= need;
    const right_ok = room_right >= need;
    // Top to bottom; a column with room both sides alternates, so each stack is half as tall.
    const by_y = [...col].sort((a, b) => points[a]!.y_px - points[b]!.y_px || points[a]!.x_px - points[b]!.x_px);
    const side = (k: number): 'left' | 'right' =>
      left_ok && right_ok ? (k % 2 === 0 ? 'left' : 'right') : right_ok ? 'left' : left_ok ? 'right' : room_right >= room_left ? 'left' : 'right';
    for (const align of ['left', 'right'] as const) {
      const mine = by_y.filter((_, k) => side(k) === align);
      if (mine.length === 0) continue;
      const ys = stack(mine.map((i) => points[i]!.y_px), line_px, line_px / 2, height - line_px / 2);
      mine.forEach((i, k) => {
        const p = points[i]!;
        const x = align === 'left' ? x1 + OFFSET_PX : x0 - OFFSET_PX;
        const moved = Math.abs(ys[k]! - p.y_px) > 1 || Math.abs(x - p.x_px) > OFFSET_PX + 1;
        out[i] = { x_px: x, y_px: ys[k]!, align, leader: col.length > 1 || moved };
      });
      if (align === 'left') right_edge = x1 + need;
    }
    if (!by_y.some((_, k) => side(k) === 'left')) right_edge = x1 + (points[col[0]!]!.r_px ?? 5);
  });
  return out;
}
