// The figures the charts draw, from the rows: accuracy per benchmark and per category, the
// turns each sample took (right and wrong apart), and where gaze boxes fall on the images.
// Pure, so it is tested without a browser and shared by the panel and the report.
import type { ReviewRow } from '../../src/shared/runsMessages';

/** Right: the judge's verdict where there is one, exact match otherwise (as the host reads it). */
/** Right by the benchmark's own measure (at least 0.5 where it is fractional); older results: the judge, else exact match. */
export const rowIsRight = (r: ReviewRow): boolean => (r.official !== null ? r.official >= 0.5 : (r.judge ?? r.em > 0) === true);

export interface GroupFigures {
  /** How the group is shown ('(none)' for no category). */
  name: string;
  /** The field's value the group stands for, to filter by ('' for no category). */
  value: string;
  samples: number;
  /** Exact match, as a fraction. */
  exactMatch: number;
  /** The judge's accuracy over the judged samples; null when none was judged. */
  judge: number | null;
  f1: number;
}

export function accuracyBy(rows: readonly ReviewRow[], field: 'benchmark' | 'category'): GroupFigures[] {
  return [...groupBy(rows, field)].map(([value, rs]) => figures(value || '(none)', rs, value)).sort(bySize);
}

const bySize = (a: { samples: number; name: string }, b: { samples: number; name: string }) => b.samples - a.samples || a.name.localeCompare(b.name);

function groupBy(rows: readonly ReviewRow[], field: 'benchmark' | 'category'): Map<string, ReviewRow[]> {
  const groups = new Map<string, ReviewRow[]>();
  for (const r of rows) {
    let g = groups.get(r[field]);
    if (!g) groups.set(r[field], (g = []));
    g.push(r);
  }
  return groups;
}

export function figures(name: string, rs: readonly ReviewRow[], value = name): GroupFigures {
  const judged = rs.filter((r) => r.judge !== null);
  const mean = (f: (r: ReviewRow) => number) => (rs.length ? rs.reduce((s, r) => s + f(r), 0) / rs.length : 0);
  return {
    name,
    value,
    samples: rs.length,
    exactMatch: mean((r) => (r.em > 0 ? 1 : 0)),
    judge: judged.length ? judged.filter((r) => r.judge).length / judged.length : null,
    f1: mean((r) => r.f1),
  };
}

/** Prices per million tokens; a cost is shown only when one of them is above 0. */
export interface Prices {
  prompt: number;
  completion: number;
}

export interface UsageFigures {
  name: string;
  value: string;
  samples: number;
  /** Mean prompt and completion tokens per sample. */
  prompt: number;
  completion: number;
  /** Median and 90th percentile of a sample's wall time, in ms. */
  medianMs: number;
  p90Ms: number;
  /** Mean cost of a sample at the prices given; null without prices. */
  cost: number | null;
}

/** The value at fraction q of the sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : 0;
}

/** Tokens, time and cost per sample, by benchmark, in the order accuracyBy lists them. */
export function usageBy(rows: readonly ReviewRow[], prices?: Prices): UsageFigures[] {
  const priced = !!prices && (prices.prompt > 0 || prices.completion > 0);
  return [...groupBy(rows, 'benchmark')]
    .map(([value, rs]): UsageFigures => {
      const n = rs.length;
      const sum = (f: (r: ReviewRow) => number) => rs.reduce((s, r) => s + f(r), 0);
      const ms = rs.map((r) => r.ms).sort((a, b) => a - b);
      const [prompt, completion] = [sum((r) => r.tokens[0]) / n, sum((r) => r.tokens[1]) / n];
      return {
        name: value || '(none)',
        value,
        samples: n,
        prompt,
        completion,
        medianMs: n % 2 ? ms[n >> 1]! : (ms[(n >> 1) - 1]! + ms[n >> 1]!) / 2,
        p90Ms: quantile(ms, 0.9),
        cost: priced ? (prompt * prices.prompt + completion * prices.completion) / 1e6 : null,
      };
    })
    .sort(bySize);
}

export interface TurnsHistogram {
  /** Turn counts from 0 (no turn) to the most any sample took. */
  turns: number[];
  right: number[];
  wrong: number[];
}

export function turnsHistogram(rows: readonly ReviewRow[]): TurnsHistogram {
  const most = rows.reduce((m, r) => Math.max(m, r.turns), 0);
  const h: TurnsHistogram = { turns: [...Array(most + 1).keys()], right: Array<number>(most + 1).fill(0), wrong: Array<number>(most + 1).fill(0) };
  for (const r of rows) (rowIsRight(r) ? h.right : h.wrong)[r.turns]!++;
  // No sample ends with no turn unless it failed to start: drop an empty 0 column.
  if (h.right[0] === 0 && h.wrong[0] === 0 && most > 0) for (const k of ['turns', 'right', 'wrong'] as const) h[k].shift();
  return h;
}

export interface GazeDensity {
  /** size × size cells, row by row from the image's top; each counts the boxes covering it. */
  cells: Float32Array;
  size: number;
  max: number;
  boxes: number;
  samples: number;
}

/**
 * Whether one of the row's gaze boxes covers part of cell (col, row) of a size × size grid:
 * the boxes that make the heatmap's density there, counted as gazeDensity counts them.
 */
export function gazeCovers(r: ReviewRow, cell: { col: number; row: number; size: number }): boolean {
  const { col, row, size } = cell;
  const at = (v: number) => Math.min(size, Math.max(0, v * size));
  for (const [x1, y1, x2, y2] of r.gazes) {
    if (!(x2 > x1 && y2 > y1)) continue;
    if (at(x1) < col + 1 && at(x2) > col && at(y1) < row + 1 && at(y2) > row) return true;
  }
  return false;
}

/** How many gaze boxes cover each cell of a size × size grid over normalised image coordinates. */
export function gazeDensity(rows: readonly ReviewRow[], size = 64): GazeDensity {
  const cells = new Float32Array(size * size);
  let boxes = 0;
  let samples = 0;
  const cell = (v: number) => Math.min(size, Math.max(0, v * size));
  for (const r of rows) {
    if (r.gazes.length) samples++;
    for (const [x1, y1, x2, y2] of r.gazes) {
      if (!(x2 > x1 && y2 > y1)) continue;
      boxes++;
      const [c1, c2, r1, r2] = [cell(x1), cell(x2), cell(y1), cell(y2)];
      // Partial cells count by how much of them the box covers, so small boxes still show.
      for (let y = Math.floor(r1); y < Math.ceil(r2); y++) {
        const hy = Math.min(r2, y + 1) - Math.max(r1, y);
        for (let x = Math.floor(c1); x < Math.ceil(c2); x++) cells[y * size + x]! += hy * (Math.min(c2, x + 1) - Math.max(c1, x));
      }
    }
  }
  let max = 0;
  for (const v of cells) if (v > max) max = v;
  return { cells, size, max, boxes, samples };
}
