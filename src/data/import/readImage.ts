// The image bytes an imported record names: a data URL, base64 bytes, or a path inside the
// source file's folder (real path checked, regular files only, bounded). A web address is
// never fetched: importing someone's data must not make this machine reach out.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readImageFile } from '../../vision/image';
import type { ImageSource } from './imported';

/** Far above any image a model is sent; a data URL is decoded only up to this. */
export const MAX_IMPORTED_IMAGE_BYTES = 64 * 1024 * 1024;

export class ImportRecordError extends Error {}

function decodeBase64(data: string, what: string): Buffer {
  if (data.length > (MAX_IMPORTED_IMAGE_BYTES * 4) / 3 + 4) throw new ImportRecordError(`${what} is larger than ${MAX_IMPORTED_IMAGE_BYTES / 1024 / 1024} MB`);
  const bytes = Buffer.from(data, 'base64');
  if (!bytes.length) throw new ImportRecordError(`${what} holds no bytes`);
  return bytes;
}

export async function readImageSource(src: ImageSource, sourceDir: string, what = 'the image'): Promise<Buffer> {
  switch (src.kind) {
    case 'data': {
      const m = /^data:([^;,]*)((?:;[^;,]*)*),/.exec(src.url);
      if (!m || !/;base64$/i.test(m[2] ?? '')) throw new ImportRecordError(`${what} is a data URL that is not base64`);
      return decodeBase64(src.url.slice(m[0].length), what);
    }
    case 'base64':
      return decodeBase64(src.data, what);
    case 'web':
      throw new ImportRecordError(`${what} is a web address (${src.url.slice(0, 80)}); import never downloads: put the file beside the data and give its path`);
    case 'path': {
      const root = await fs.realpath(sourceDir);
      const real = await fs.realpath(path.resolve(sourceDir, src.path)).catch(() => undefined);
      if (!real) throw new ImportRecordError(`${what} ${src.path} is not in ${sourceDir}`);
      if (!real.startsWith(root + path.sep)) throw new ImportRecordError(`${what} ${src.path} lies outside ${sourceDir}, the folder of the data; not read`);
      try {
        return await readImageFile(real, MAX_IMPORTED_IMAGE_BYTES);
      } catch (e) {
        throw new ImportRecordError(`${what} ${src.path}: ${(e as Error).message}`);
      }
    }
  }
}
