// Loading the query image: EXIF orientation first, a pixel cap, the exact size the model
// is sent, and lazily decoded full-resolution pixels for gaze crops. sharp (libvips).
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants, promises as fs } from 'node:fs';
import type sharp from 'sharp';
import { sharpLib, sharpMessage } from './sharpLib';
import { boxToRect, sentSizeFor, capPixels, type Box, type BoxFormat, type Size } from '../core/geometry';
import type { AgentImage, EncodedImage } from '../core/ports';
import { readInto } from '../core/readRange';
import { sha256Hex } from '../core/sha256';
import { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_INPUT_PIXELS, INPUT_FORMATS } from './imageLimits';

export { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_INPUT_PIXELS, INPUT_FORMATS } from './imageLimits';
const JPEG_QUALITY = 90;

export type ImageErrorCode = 'not_found' | 'unreadable' | 'unsupported' | 'too_large';

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface LoadOptions {
  boxFormat: BoxFormat;
  /** Cap on pixels sent to the model (and on crops sent to search). */
  maxPixels: number;
  maxInputPixels?: number;
  /** Bytes read of the file at most (default DEFAULT_MAX_IMAGE_BYTES). */
  maxBytes?: number;
  /** Start decoding full-resolution pixels in the background right away (default true). */
  prefetch?: boolean;
}

export interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export interface LoadedImage extends AgentImage {
  bytes: Buffer;
  sha256: string;
  format: string;
  /** Stored size, before orientation. */
  stored: Size;
  orientation: number;
  /** Full-resolution oriented pixels, decoded once. */
  pixels(): Promise<RawPixels>;
}

/**
 * A file larger than this is first checked by its first bytes: hundreds of MB (up to the
 * gog.maxImageMB limit) are not read of something that is not an image at all.
 */
const HEAD_CHECK_BYTES = 64 * 1024 * 1024;
const FORMAT_NAMES = 'JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF';

/** The signatures of INPUT_FORMATS' files. */
function looksLikeImage(head: Buffer): boolean {
  const at = (from: number, to: number) => head.toString('latin1', from, to);
  return (
    (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) ||
    at(0, 8) === '\x89PNG\r\n\x1a\n' ||
    (at(0, 4) === 'RIFF' && at(8, 12) === 'WEBP') ||
    at(0, 4) === 'GIF8' ||
    ['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(at(0, 4)) ||
    at(4, 8) === 'ftyp'
  );
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** What kind of not-a-file a path is, for the message. */
function describeNonFile(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads an image file: regular files only (a pipe would block and a device never ends), at
 * most `maxBytes`. Opened without blocking so a named pipe is refused, not waited on, and
 * checked on the open descriptor so the file read is the file checked.
 */
export async function readImageFile(file: string, maxBytes: number = DEFAULT_MAX_IMAGE_BYTES): Promise<Buffer> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageError('not_found', `image not found: ${file}`);
    throw new ImageError('unreadable', `cannot read image ${file}: ${(e as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new ImageError(stat.isDirectory() ? 'not_found' : 'unreadable', `image path is ${describeNonFile(stat)}, not an image file: ${file}`);
    if (stat.size > maxBytes) {
      throw new ImageError(
        'too_large',
        `${file} is ${megabytes(stat.size)}, over the ${megabytes(maxBytes)} limit for an image file (setting gog.maxImageMB, CLI --max-image-mb)`,
      );
    }
    if (stat.size > HEAD_CHECK_BYTES) {
      const head = await readInto(handle, Buffer.alloc(16), 0);
      if (!looksLikeImage(head))
        throw new ImageError(
          'unreadable',
          `${file} is not a readable image (corrupt or not an image): its first bytes are not those of a ${FORMAT_NAMES} file`,
        );
    }
    if (stat.size > bufferConstants.MAX_LENGTH)
      throw new ImageError('too_large', `${file} is ${megabytes(stat.size)}, more than this process can hold in one buffer; scale it down first`);
    // In pieces: one read of 2 GB or more aborts Node instead of failing (readRange.ts).
    const bytes = await readInto(handle, Buffer.allocUnsafe(stat.size), 0);
    // The size can change under us: a byte past what stat said means it grew while it was read.
    if (bytes.length === stat.size && (await handle.read(Buffer.alloc(1), 0, 1, stat.size)).bytesRead > 0)
      throw new ImageError(
        stat.size >= maxBytes ? 'too_large' : 'unreadable',
        stat.size >= maxBytes ? `${file} grew past the ${megabytes(maxBytes)} limit for an image file while it was read` : `${file} changed while it was read`,
      );
    return bytes;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('unreadable', `cannot read image ${file}: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

async function readInput(input: string | Buffer, maxBytes: number | undefined): Promise<{ bytes: Buffer; name: string }> {
  if (Buffer.isBuffer(input)) return { bytes: input, name: 'image' };
  return { bytes: await readImageFile(input, maxBytes), name: input };
}

export async function encodeJpeg(pipeline: sharp.Sharp): Promise<EncodedImage> {
  // Huffman-table optimisation saves a few per cent of bytes and doubles the encode time.
  const { data, info } = await pipeline.jpeg({ quality: JPEG_QUALITY, optimiseCoding: false }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, mime: 'image/jpeg' };
}

export async function loadImage(input: string | Buffer, options: LoadOptions): Promise<LoadedImage> {
  const { bytes, name } = await readInput(input, options.maxBytes);
  const limit = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  // Outside the try: a sharp that cannot load is a broken install, not a bad image.
  const sharpModule = sharpLib();
  let meta: sharp.Metadata;
  try {
    // Header only: nothing is decoded yet.
    meta = await sharpModule(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageError('unreadable', `${name} is not a readable image (corrupt or not an image): ${sharpMessage(e)}`);
  }
  const format = meta.format ?? 'unknown';
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new ImageError('unsupported', `${name}: unsupported image format "${format}"; use JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF`);
  }
  if (!meta.width || !meta.height) throw new ImageError('unreadable', `${name}: the image has no size in its header`);
  if (meta.width * meta.height > limit) {
    const mp = (n: number) => Math.round(n / 1e6);
    throw new ImageError(
      'too_large',
      `${name} is ${meta.width}×${meta.height} (${mp(meta.width * meta.height)} megapixels), over the ${mp(limit)}-megapixel limit; scale it down first`,
    );
  }
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const swap = orientation >= 5;
  const oriented: Size = swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  const sentSize = sentSizeFor(oriented, options.boxFormat, options.maxPixels);
  const open = () => sharpModule(bytes, { limitInputPixels: limit }).autoOrient();

  let sent: EncodedImage;
  try {
    // Shrink-on-load makes this much cheaper than decoding at full size.
    sent = await encodeJpeg(open().resize(sentSize.width, sentSize.height, { fit: 'fill' }).flatten({ background: '#ffffff' }));
  } catch (e) {
    throw new ImageError('unreadable', `${name} could not be decoded (corrupt or truncated?): ${sharpMessage(e)}`);
  }

  let pixelsPromise: Promise<RawPixels> | undefined;
  const pixels = (): Promise<RawPixels> => {
    pixelsPromise ??= open()
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => {
        if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
        return { data, width: info.width, height: info.height, channels: 3 as const };
      })
      .catch((e: unknown) => {
        throw new ImageError('unreadable', `${name} could not be decoded at full size: ${sharpMessage(e)}`);
      });
    return pixelsPromise;
  };
  // Decoding full size takes a few hundred ms on a 12 MP photo; do it while the model thinks.
  if (options.prefetch !== false) pixels().catch(() => undefined);

  return {
    bytes,
    sha256: sha256Hex(bytes),
    format,
    stored: { width: meta.width, height: meta.height },
    orientation,
    oriented,
    sent,
    pixels,
    async crop(box: Box, signal: AbortSignal): Promise<EncodedImage> {
      const px = await pixels();
      signal.throwIfAborted();
      return cropPixels(px, box, options.maxPixels);
    },
  };
}

/**
 * The crop of integer original pixels [x1, y1, x2, y2], exact, scaled down only to respect
 * maxPixels. One pipeline for both outputs below, so the tested raw crop is the sent one.
 */
function cropPipeline(px: RawPixels, box: Box, maxPixels: number): sharp.Sharp {
  const rect = boxToRect(box);
  const valid =
    box.every((v) => Number.isInteger(v)) &&
    rect.left >= 0 &&
    rect.top >= 0 &&
    rect.width > 0 &&
    rect.height > 0 &&
    rect.left + rect.width <= px.width &&
    rect.top + rect.height <= px.height;
  if (!valid) throw new Error(`crop [${box.join(', ')}] is not an integer rectangle inside the ${px.width}×${px.height} image`);
  const pipeline = sharpLib()(px.data, { raw: { width: px.width, height: px.height, channels: px.channels } }).extract(rect);
  const target = capPixels({ width: rect.width, height: rect.height }, maxPixels);
  return target.width !== rect.width || target.height !== rect.height ? pipeline.resize(target.width, target.height, { fit: 'fill' }) : pipeline;
}

export async function cropRaw(px: RawPixels, box: Box, maxPixels: number): Promise<RawPixels> {
  const { data, info } = await cropPipeline(px, box, maxPixels).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export function cropPixels(px: RawPixels, box: Box, maxPixels: number): Promise<EncodedImage> {
  return encodeJpeg(cropPipeline(px, box, maxPixels));
}

/** A small JPEG for evidence and previews, longest side at most `maxSide`. */
export async function makeThumbnail(input: Buffer, maxSide = 256, maxInputPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<EncodedImage> {
  return encodeJpeg(
    sharpLib()(input, { limitInputPixels: maxInputPixels })
      .autoOrient()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' }),
  );
}
