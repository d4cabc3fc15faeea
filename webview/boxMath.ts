// Box arithmetic for editing a gaze box in original-image pixels: moving, resizing by an edge
// or corner, drawing anew, nudging by key. A box always stays inside the image and at least
// the smallest size that can be searched, and its corners are whole pixels (what the
// annotation records). Pure, so it is tested without a browser.
import type { Box } from '../src/core/geometry';

export type { Box };

export interface Limits {
  width: number;
  height: number;
  /** Smallest sides, in original pixels (the model's minimum in sent pixels, scaled up). */
  minWidth: number;
  minHeight: number;
}

export type Handle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The smallest sides a box may have: `minSent` sent pixels, in original pixels, rounded up. */
export function limitsFor(oriented: { width: number; height: number }, sent: { width: number; height: number }, minSent: number): Limits {
  return {
    width: oriented.width,
    height: oriented.height,
    minWidth: Math.min(oriented.width, Math.ceil((minSent * oriented.width) / sent.width)),
    minHeight: Math.min(oriented.height, Math.ceil((minSent * oriented.height) / sent.height)),
  };
}

/** Whole pixels, inside the image, at least the minimum size (grown from its top-left, or moved in to fit). */
export function fit(b: Box, l: Limits): Box {
  let [x1, y1, x2, y2] = b.map(Math.round) as Box;
  if (x2 < x1) [x1, x2] = [x2, x1];
  if (y2 < y1) [y1, y2] = [y2, y1];
  const w = clamp(x2 - x1, l.minWidth, l.width);
  const h = clamp(y2 - y1, l.minHeight, l.height);
  x1 = clamp(x1, 0, l.width - w);
  y1 = clamp(y1, 0, l.height - h);
  return [x1, y1, x1 + w, y1 + h];
}

/** The box moved by (dx, dy), stopped at the image's edges, its size unchanged. */
export function moveBox(b: Box, dx: number, dy: number, l: Limits): Box {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  const x1 = clamp(Math.round(b[0] + dx), 0, l.width - w);
  const y1 = clamp(Math.round(b[1] + dy), 0, l.height - h);
  return [x1, y1, x1 + w, y1 + h];
}

/** The box with the edges a handle holds moved by (dx, dy); an edge stops at the image and at the minimum size. */
export function resizeBox(b: Box, handle: Handle, dx: number, dy: number, l: Limits): Box {
  let [x1, y1, x2, y2] = b;
  if (handle.includes('w')) x1 = clamp(Math.round(x1 + dx), 0, x2 - l.minWidth);
  if (handle.includes('e')) x2 = clamp(Math.round(x2 + dx), x1 + l.minWidth, l.width);
  if (handle.includes('n')) y1 = clamp(Math.round(y1 + dy), 0, y2 - l.minHeight);
  if (handle.includes('s')) y2 = clamp(Math.round(y2 + dy), y1 + l.minHeight, l.height);
  return [x1, y1, x2, y2];
}

/** A box drawn from one corner to the other; undefined while it is smaller than the minimum (a click, not a box). */
export function drawnBox(from: { x: number; y: number }, to: { x: number; y: number }, l: Limits): Box | undefined {
  const x1 = clamp(Math.round(Math.min(from.x, to.x)), 0, l.width);
  const x2 = clamp(Math.round(Math.max(from.x, to.x)), 0, l.width);
  const y1 = clamp(Math.round(Math.min(from.y, to.y)), 0, l.height);
  const y2 = clamp(Math.round(Math.max(from.y, to.y)), 0, l.height);
  if (x2 - x1 < l.minWidth || y2 - y1 < l.minHeight) return undefined;
  return [x1, y1, x2, y2];
}

export type Arrow = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

export function isArrow(key: string): key is Arrow {
  return key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown';
}

/** One key step: half a percent of the image's side, ten times that with the bigger-step modifier; at least a pixel. */
export function nudgeStep(l: Limits, big: boolean): { x: number; y: number } {
  const f = big ? 0.05 : 0.005;
  return { x: Math.max(1, Math.round(l.width * f)), y: Math.max(1, Math.round(l.height * f)) };
}

/** Arrows move the box; with `resize`, they move its right or bottom edge (right and down grow it). */
export function nudge(b: Box, key: Arrow, resize: boolean, big: boolean, l: Limits): Box {
  const s = nudgeStep(l, big);
  const dx = key === 'ArrowLeft' ? -s.x : key === 'ArrowRight' ? s.x : 0;
  const dy = key === 'ArrowUp' ? -s.y : key === 'ArrowDown' ? s.y : 0;
  return resize ? resizeBox(b, dx ? 'e' : 's', dx, dy, l) : moveBox(b, dx, dy, l);
}

export function sameBox(a: Box, b: Box): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
