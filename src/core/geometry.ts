// Boxes between the three spaces a run deals with:
//   model space    what the model wrote (depends on the box format),
//   sent space     pixels of the image that was sent to the model,
//   original space pixels of the original image after EXIF orientation.
// Nothing here touches pixels; src/vision does that with the rectangles computed here.

export const BOX_FORMATS = ['pixels-sent', 'rel-1000', 'rel-1'] as const;
export type BoxFormat = (typeof BOX_FORMATS)[number];

export interface Size {
  width: number;
  height: number;
}

/** [x1, y1, x2, y2], x to the right, y down, x1 < x2 and y1 < y2. */
export type Box = [number, number, number, number];

/** An integer pixel rectangle inside an image. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Qwen2.5-VL's patch grid: 14-pixel patches merged 2x2. */
export const QWEN_FACTOR = 28;
/** 1280·28·28, the default cap on pixels sent to the model. */
export const DEFAULT_MAX_PIXELS = 1280 * 28 * 28;
const QWEN_MIN_PIXELS = 56 * 56;

/**
 * Qwen2.5-VL's `smart_resize`: both sides a multiple of `factor`, the pixel count
 * within [minPixels, maxPixels], the aspect ratio kept as well as rounding allows.
 * Sending an image of exactly this size means the processor does not resize it
 * again, so the pixel boxes the model writes are pixels of the image we sent.
 */
export function smartResize(size: Size, maxPixels: number, factor = QWEN_FACTOR, minPixels = QWEN_MIN_PIXELS): Size {
  const { width: w, height: h } = size;
  let wBar = Math.max(factor, Math.round(w / factor) * factor);
  let hBar = Math.max(factor, Math.round(h / factor) * factor);
  if (wBar * hBar > maxPixels) {
    const beta = Math.sqrt((w * h) / maxPixels);
    wBar = Math.max(factor, Math.floor(w / beta / factor) * factor);
    hBar = Math.max(factor, Math.floor(h / beta / factor) * factor);
  } else if (wBar * hBar < minPixels) {
    const beta = Math.sqrt(minPixels / (w * h));
    wBar = Math.ceil((w * beta) / factor) * factor;
    hBar = Math.ceil((h * beta) / factor) * factor;
  }
  return { width: wBar, height: hBar };
}

/** Scale down (never up) so that width·height ≤ maxPixels, keeping the aspect ratio. */
export function capPixels(size: Size, maxPixels: number): Size {
  const { width: w, height: h } = size;
  if (w * h <= maxPixels) return { width: w, height: h };
  const scale = Math.sqrt(maxPixels / (w * h));
  let width = Math.max(1, Math.floor(w * scale));
  let height = Math.max(1, Math.floor(h * scale));
  // Floors can still land one row over when the aspect ratio is extreme.
  while (width * height > maxPixels && (width > 1 || height > 1)) {
    if (width >= height) width--;
    else height--;
  }
  return { width, height };
}

/** The size of the image the model sees, for a box format. */
export function sentSizeFor(oriented: Size, boxFormat: BoxFormat, maxPixels: number): Size {
  return boxFormat === 'pixels-sent' ? smartResize(oriented, maxPixels) : capPixels(oriented, maxPixels);
}

/** The largest coordinate value a box format allows on each axis. */
function formatRange(boxFormat: BoxFormat, sent: Size): Size {
  switch (boxFormat) {
    case 'pixels-sent':
      return sent;
    case 'rel-1000':
      return { width: 1000, height: 1000 };
    case 'rel-1':
      return { width: 1, height: 1 };
  }
}

/** How a box format is described to the model in prompts. */
export function describeBoxFormat(boxFormat: BoxFormat, sent: Size): string {
  switch (boxFormat) {
    case 'pixels-sent':
      return `absolute pixel coordinates of the image you were given (${sent.width}×${sent.height}; x from 0 to ${sent.width}, y from 0 to ${sent.height})`;
    case 'rel-1000':
      return 'coordinates relative to the image, scaled 0 to 1000 on each axis';
    case 'rel-1':
      return 'coordinates relative to the image, from 0 to 1 on each axis';
  }
}

export interface ResolvedBox {
  /** The four numbers as the model wrote them. */
  model: Box;
  /** In pixels of the sent image (not rounded). */
  sent: Box;
  /** The integer crop rectangle in the original, oriented image, as [x1, y1, x2, y2]. */
  original: Box;
}

export type BoxResult = { ok: true; box: ResolvedBox } | { ok: false; message: string };

/** Smallest box side accepted, in pixels of the sent image. */
export const MIN_BOX_SIDE_SENT = 8;

/**
 * Checks a model-written box and maps it to sent and original pixels. A box that is
 * not four finite numbers, reversed, outside the image or too small is rejected with a
 * message meant for the model; it is never clamped into something else.
 */
export function resolveBox(numbers: readonly number[], boxFormat: BoxFormat, sent: Size, original: Size): BoxResult {
  if (numbers.length !== 4) {
    return { ok: false, message: `a box needs exactly four numbers [x1, y1, x2, y2]; got ${numbers.length}` };
  }
  if (!numbers.every((n) => Number.isFinite(n))) {
    return { ok: false, message: 'a box must hold four finite numbers [x1, y1, x2, y2]' };
  }
  const model = [...numbers] as Box;
  const [x1, y1, x2, y2] = model;
  if (x1 >= x2 || y1 >= y2) {
    return { ok: false, message: `box [${model.join(', ')}] is reversed or empty: it needs x1 < x2 and y1 < y2` };
  }
  const range = formatRange(boxFormat, sent);
  if (x1 < 0 || y1 < 0 || x2 > range.width || y2 > range.height) {
    return {
      ok: false,
      message: `box [${model.join(', ')}] lies outside the image: coordinates must be within 0–${range.width} for x and 0–${range.height} for y (${boxFormat})`,
    };
  }
  const sx = sent.width / range.width;
  const sy = sent.height / range.height;
  const sentBox: Box = [x1 * sx, y1 * sy, x2 * sx, y2 * sy];
  if (sentBox[2] - sentBox[0] < MIN_BOX_SIDE_SENT || sentBox[3] - sentBox[1] < MIN_BOX_SIDE_SENT) {
    return {
      ok: false,
      message: `box [${model.join(', ')}] is too small: each side must cover at least ${MIN_BOX_SIDE_SENT} pixels of the ${sent.width}×${sent.height} image`,
    };
  }
  return { ok: true, box: { model, sent: sentBox, original: sentToOriginal(sentBox, sent, original) } };
}

/**
 * Maps a sent-space box to the integer rectangle of original pixels it covers: outward
 * rounding, so the crop contains everything the model pointed at. The bounds check
 * only absorbs floating-point error; out-of-image boxes were rejected before.
 */
export function sentToOriginal(box: Box, sent: Size, original: Size): Box {
  const fx = original.width / sent.width;
  const fy = original.height / sent.height;
  const eps = 1e-6;
  const x1 = Math.max(0, Math.floor(box[0] * fx + eps));
  const y1 = Math.max(0, Math.floor(box[1] * fy + eps));
  const x2 = Math.min(original.width, Math.ceil(box[2] * fx - eps));
  const y2 = Math.min(original.height, Math.ceil(box[3] * fy - eps));
  return [x1, y1, Math.max(x2, x1 + 1), Math.max(y2, y1 + 1)];
}

/** Maps an original-pixel box to the model's box format (for prompts, exports, edits). */
export function originalToModel(box: Box, boxFormat: BoxFormat, sent: Size, original: Size): Box {
  const range = formatRange(boxFormat, sent);
  const fx = range.width / original.width;
  const fy = range.height / original.height;
  const round = boxFormat === 'rel-1' ? (v: number) => Math.round(v * 1000) / 1000 : (v: number) => Math.round(v);
  return [round(box[0] * fx), round(box[1] * fy), round(box[2] * fx), round(box[3] * fy)];
}

export function boxToRect(box: Box): PixelRect {
  return { left: box[0], top: box[1], width: box[2] - box[0], height: box[3] - box[1] };
}

/** Intersection over union of two boxes [x1, y1, x2, y2]; two empty boxes are the same box (1). */
export function boxIou(p: readonly number[], q: readonly number[]): number {
  const w = Math.max(0, Math.min(p[2]!, q[2]!) - Math.max(p[0]!, q[0]!));
  const h = Math.max(0, Math.min(p[3]!, q[3]!) - Math.max(p[1]!, q[1]!));
  const area = (b: readonly number[]) => Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
  const inter = w * h;
  const union = area(p) + area(q) - inter;
  return union > 0 ? inter / union : 1;
}
