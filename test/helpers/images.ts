// Test images derived from the real photographs, each made the way the comment says.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

export async function decodeRaw(input: Buffer | string): Promise<Raw> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Where display pixel (x, y) comes from in the stored image, for EXIF orientation k, by
 * the EXIF specification (stored size W×H). Written independently of sharp, as the oracle.
 */
export function storedCoord(k: number, x: number, y: number, W: number, H: number): [number, number] {
  switch (k) {
    case 1:
      return [x, y];
    case 2:
      return [W - 1 - x, y]; // mirrored horizontally
    case 3:
      return [W - 1 - x, H - 1 - y]; // rotated 180°
    case 4:
      return [x, H - 1 - y]; // mirrored vertically
    case 5:
      return [y, x]; // transposed
    case 6:
      return [y, H - 1 - x]; // display is the stored image turned 90° clockwise
    case 7:
      return [W - 1 - y, H - 1 - x]; // transversed
    case 8:
      return [W - 1 - y, x]; // display is the stored image turned 90° counter-clockwise
    default:
      throw new Error(`orientation ${k}`);
  }
}

/** The display image of stored pixels under orientation k. */
export function applyOrientation(stored: Raw, k: number): Raw {
  const swap = k >= 5;
  const width = swap ? stored.height : stored.width;
  const height = swap ? stored.width : stored.height;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [sx, sy] = storedCoord(k, x, y, stored.width, stored.height);
      stored.data.copy(data, (y * width + x) * 3, (sy * stored.width + sx) * 3, (sy * stored.width + sx) * 3 + 3);
    }
  return { data, width, height };
}

/** Stored pixels that display as `upright` under orientation k (the inverse of applyOrientation). */
export function storeForOrientation(upright: Raw, k: number): Raw {
  const swap = k >= 5;
  const W = swap ? upright.height : upright.width;
  const H = swap ? upright.width : upright.height;
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < upright.height; y++)
    for (let x = 0; x < upright.width; x++) {
      const [sx, sy] = storedCoord(k, x, y, W, H);
      upright.data.copy(data, (sy * W + sx) * 3, (y * upright.width + x) * 3, (y * upright.width + x) * 3 + 3);
    }
  return { data, width: W, height: H };
}

/** A JPEG of `upright` stored rotated/mirrored with EXIF orientation k, as cameras write them. */
export async function orientedJpeg(upright: Raw, k: number): Promise<Buffer> {
  const stored = storeForOrientation(upright, k);
  return sharp(stored.data, { raw: { width: stored.width, height: stored.height, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation: k })
    .toBuffer();
}

export function region(img: Raw, [x1, y1, x2, y2]: readonly number[]): Raw {
  const width = x2! - x1!;
  const height = y2! - y1!;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) img.data.copy(data, y * width * 3, ((y1! + y) * img.width + x1!) * 3, ((y1! + y) * img.width + x2!) * 3);
  return { data, width, height };
}

export function meanAbsDiff(a: Raw, b: Raw): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A real, valid 1-bit greyscale PNG of width×height (all black): 20000×20000 is 400
 * megapixels that deflate to about 50 KB, a decompression bomb.
 */
export function blackPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
