// The image reader's limits and formats, apart from the reader (which loads sharp, a native
// library): settings declare their defaults and ranges from these without loading it.

/** Formats accepted as input; SVG and PDF are refused (they can reference other files and are not photos). */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif'] as const;
/**
 * Decompression-bomb guard, checked from the header before any decoding: 200 megapixels
 * admits the largest phone photos (16320×12240) and refuses a 20000×20000 image.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 200_000_000;
/** Bytes read of an image file at most: far above any real photo (a 200 MP TIFF is 600 MB raw, a phone HEIC 10 MB). */
export const DEFAULT_MAX_IMAGE_BYTES = 256 * 1024 * 1024;
