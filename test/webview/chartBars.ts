// Where a chart's bars are, found as a user finds them: by their colour on the canvas. A
// bar chart's bars all start at its baseline, so one line of pixels next to the baseline
// crosses every bar of a series once, in the order the chart lists its groups (left to
// right, or top to bottom for horizontal bars), however short the bar (a 0 % bar too) and
// whatever the legend above draws in the same colour.
import type { Page } from 'playwright-core';

export interface Bar {
  /** The bar's centre on the scan line, in CSS pixels from the canvas's top left. */
  x: number;
  y: number;
  /** Its length along the scan line, in canvas pixels (its width, or its height when horizontal). */
  across: number;
}

// Runs in the page, as plain JavaScript: the tests' TypeScript has no DOM types.
const BARS_SOURCE = String.raw`(chart, hex, horizontal) => {
  const canvas = document.querySelector('.chart[data-chart="' + chart + '"] canvas');
  if (!canvas) throw new Error('no chart ' + chart);
  const w = canvas.width, h = canvas.height;
  const data = canvas.getContext('2d').getImageData(0, 0, w, h).data;
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const is = (x, y) => {
    const i = (y * w + x) * 4;
    return data[i + 3] > 250 && Math.abs(data[i] - rgb[0]) <= 3 && Math.abs(data[i + 1] - rgb[1]) <= 3 && Math.abs(data[i + 2] - rgb[2]) <= 3;
  };
  // The scan line: the lowest row (leftmost column) painted fully in the colour, next to the
  // baseline (the row on it may be antialiased). A bar of 0 % is painted across it too.
  let line = -1;
  if (horizontal) {
    for (let x = 0; x < w && line < 0; x++) for (let y = 0; y < h; y++) if (is(x, y)) { line = x; break; }
  } else {
    for (let y = h - 1; y >= 0 && line < 0; y--) for (let x = 0; x < w; x++) if (is(x, y)) { line = y; break; }
  }
  if (line < 0) return [];
  const bars = [];
  const n = horizontal ? h : w;
  for (let i = 0; i < n; i++) {
    const on = horizontal ? is(line, i) : is(i, line);
    const last = bars[bars.length - 1];
    if (on && last && last.end === i - 1) last.end = i;
    else if (on) bars.push({ start: i, end: i });
  }
  const scale = canvas.getBoundingClientRect().width / w;
  return bars.map((b) => {
    const mid = (b.start + b.end) / 2;
    return horizontal ? { x: line * scale, y: mid * scale, across: b.end - b.start + 1 } : { x: mid * scale, y: line * scale, across: b.end - b.start + 1 };
  });
}`;

/** The bars of one colour in a chart, in the order the chart lists them. */
export async function barsOf(page: Page, chart: string, colour: string, horizontal = false): Promise<Bar[]> {
  return page.evaluate<Bar[]>(`(${BARS_SOURCE})(${JSON.stringify(chart)}, ${JSON.stringify(colour)}, ${JSON.stringify(horizontal)})`);
}
