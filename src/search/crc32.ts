// CRC-32 (the zlib/PNG one), to notice a changed line of pages.jsonl or a corrupt chunk of
// an index file. Not a defence against anyone: a cheap check against accidents.
import * as zlib from 'node:zlib';

// zlib.crc32 arrived in Node 20.15; the table below gives the same CRC-32 on older ones.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
const nativeCrc = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
export function crc32(data: Uint8Array): number {
  if (nativeCrc) return nativeCrc(data);
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
