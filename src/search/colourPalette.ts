// Which colours an image has at all: 8×8×8 bins of RGB, a bit for each bin holding at
// least 0.1 % of the pixels. A crop's colours are all among its source's, so the share of a
// query's pixels whose colour an image has is a cue where local features find nothing to
// hold on to (a small or plain crop).

export const PALETTE_BINS = 512;
/** Bytes of one palette: a bit per bin. */
export const PALETTE_BYTES = PALETTE_BINS / 8;
const PRESENT = 0.001;

/** Share of RGB pixels in each bin. */
export function colourShares(rgb: Uint8Array): Float32Array {
  const shares = new Float32Array(PALETTE_BINS);
  const n = Math.max(1, rgb.length / 3);
  for (let i = 0; i + 2 < rgb.length; i += 3) shares[((rgb[i]! >> 5) << 6) | ((rgb[i + 1]! >> 5) << 3) | (rgb[i + 2]! >> 5)]! += 1 / n;
  return shares;
}

/** The bins an image really uses. */
export function palette(rgb: Uint8Array): Uint8Array {
  const bits = new Uint8Array(PALETTE_BYTES);
  colourShares(rgb).forEach((share, bin) => {
    if (share >= PRESENT) bits[bin >> 3]! |= 1 << (bin & 7);
  });
  return bits;
}

/** For each of `entries`, the share of the query's pixels whose colour its palette (in `palettes`, one after another) has. */
export function colourCover(query: Float32Array, palettes: Uint8Array, entries: readonly number[]): Map<number, number> {
  const bins: number[] = [];
  query.forEach((share, bin) => share > 0 && bins.push(bin));
  const out = new Map<number, number>();
  for (const e of entries) {
    let cover = 0;
    for (const bin of bins) if (palettes[e * PALETTE_BYTES + (bin >> 3)]! & (1 << (bin & 7))) cover += query[bin]!;
    out.set(e, cover);
  }
  return out;
}
