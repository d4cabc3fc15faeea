// A ranking job's signatures packed into one buffer that goes to the ranking thread and comes
// back (transferred, not copied), to be filled again by the next search. Cloned instead, each
// search left a megabyte of new buffers in the thread, collected late: tens of megabytes.
import type { ImageSignature, Plane, PlaceHint } from './imageMatch';

type Span = { at: number; length: number };
type PlaneShape = { width: number; height: number; grey: Span; rgb: Span };
type SignatureShape = { fine: PlaneShape; coarse: PlaneShape };

/** Where each plane's floats lie in the buffer (offsets in floats). */
export interface PackedJob {
  buffer: ArrayBuffer;
  query: SignatureShape;
  candidates: { item: number; signature: SignatureShape; hint?: PlaceHint }[];
}

const floatsOf = (s: ImageSignature) => s.fine.grey.length + s.fine.rgb.length + s.coarse.grey.length + s.coarse.rgb.length;

/** Packs into `spare` when it is large enough, else into a new buffer. */
export function packJob(
  query: ImageSignature,
  candidates: readonly { item: number; signature: ImageSignature; hint?: PlaceHint }[],
  spare?: ArrayBuffer,
): PackedJob {
  const floats = floatsOf(query) + candidates.reduce((n, c) => n + floatsOf(c.signature), 0);
  const buffer = spare && spare.byteLength >= floats * 4 ? spare : new ArrayBuffer(floats * 4);
  const all = new Float32Array(buffer);
  let at = 0;
  const put = (data: Float32Array): Span => {
    all.set(data, at);
    at += data.length;
    return { at: at - data.length, length: data.length };
  };
  const plane = (p: Plane): PlaneShape => ({ width: p.width, height: p.height, grey: put(p.grey), rgb: put(p.rgb) });
  const signature = (s: ImageSignature): SignatureShape => ({ fine: plane(s.fine), coarse: plane(s.coarse) });
  return {
    buffer,
    query: signature(query),
    candidates: candidates.map((c) => ({ item: c.item, signature: signature(c.signature), ...(c.hint ? { hint: c.hint } : {}) })),
  };
}

/** The signatures as views on the packed buffer (nothing copied). */
export function unpackJob(job: PackedJob): {
  query: ImageSignature;
  candidates: { item: number; signature: ImageSignature; hint?: PlaceHint }[];
} {
  const view = (s: Span) => new Float32Array(job.buffer, s.at * 4, s.length);
  const plane = (p: PlaneShape): Plane => ({ width: p.width, height: p.height, grey: view(p.grey), rgb: view(p.rgb) });
  const signature = (s: SignatureShape): ImageSignature => ({ fine: plane(s.fine), coarse: plane(s.coarse) });
  return { query: signature(job.query), candidates: job.candidates.map((c) => ({ ...c, signature: signature(c.signature) })) };
}
