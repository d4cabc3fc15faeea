// The images a sample shows (the image sent, evidence thumbnails) and its gaze crops,
// copied out of its run folder as real files beside the export. Read only through
// RunAssets: a name in someone else's record that leads outside their run folder is refused.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ASSET_URL } from '../../core/conversation';
import { writeNewFile } from '../../core/files';
import { RunAssets } from '../runAssets';

/** What an image file is, by its first bytes; undefined for anything that is not one of these. */
export function sniffImage(bytes: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

export interface ExportedImage {
  /** Relative to the export folder, with forward slashes. */
  file: string;
  mime: string;
  bytes: Buffer;
}

/** A folder name for a sample: its run id, and a hash of where it came from, so two runs named alike never meet. */
export function sampleFolderName(id: string, source: string): string {
  const safe =
    id
      .replace(/[^\w.-]+/g, '_')
      .replace(/^[.]+/, '')
      .slice(0, 80) || 'run';
  return `${safe}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}`;
}

export class ImageRefused extends Error {}

/**
 * Copies the run's images named by `rels` into `<exportDir>/<folder>/`, each once. Throws an
 * ImageRefused naming the first that is not a regular image file inside the run folder.
 * `<exportDir>/images` must exist: it is not made again here, so a sample still being
 * copied when a cancelled export removes its folder cannot bring the folder back.
 */
export async function copyImages(
  runDir: string,
  rels: readonly string[],
  exportDir: string,
  folder: string,
  signal?: AbortSignal,
): Promise<Map<string, ExportedImage>> {
  const assets = new RunAssets(runDir);
  const out = new Map<string, ExportedImage>();
  const taken = new Set<string>();
  signal?.throwIfAborted();
  await fs.mkdir(path.join(exportDir, folder));
  for (const rel of rels) {
    if (out.has(rel)) continue;
    const check = await assets.check(rel);
    if (!check.ok) throw new ImageRefused(`${rel} ${check.reason}`);
    const bytes = await assets.read(check);
    const mime = sniffImage(bytes);
    if (!mime) throw new ImageRefused(`${rel} is not a JPEG, PNG, WebP or GIF image`);
    let name = path.basename(rel);
    for (let i = 2; taken.has(name); i++) name = `${path.basename(rel, path.extname(rel))}-${i}${path.extname(rel)}`;
    taken.add(name);
    const file = `${folder}/${name}`;
    signal?.throwIfAborted();
    await writeNewFile(path.join(exportDir, file), bytes);
    out.set(rel, { file, mime, bytes });
  }
  return out;
}

/** The run-folder path an `asset:` URL of a rebuilt conversation names. */
export function assetPath(url: string): string {
  if (!url.startsWith(ASSET_URL)) throw new Error(`not an image of the run: ${url.slice(0, 40)}`);
  return url.slice(ASSET_URL.length);
}
