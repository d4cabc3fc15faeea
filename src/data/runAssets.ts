// The files of a run folder that a record names (the image as sent, gaze crops, evidence
// thumbnails). A run folder may come from someone else, so a name in it is trusted only when
// it resolves to a regular file whose real path is inside the folder's real path: a symlink
// to /etc/passwd, or to anything outside, is refused, never read, shown or shipped.
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { checkFolderFile, FolderFileRefused, openChecked } from '../core/folderFile';

/** A path from the record that may name an image in the run folder: images/… or the image itself, never upward. */
export function isRunAsset(rel: string): boolean {
  return /^(images\/)?[\w][\w.-]*\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i.test(rel) && !rel.includes('..');
}

/** A page's text as read for a text search: pages/… . */
export function isRunPage(rel: string): boolean {
  return /^pages\/[\w][\w.-]*\.txt$/.test(rel) && !rel.includes('..');
}

/** An image larger than this is not one of ours (crops and thumbnails are small; the sent image is capped). */
export const MAX_ASSET_BYTES = 64 * 1024 * 1024;

export type AssetCheck = { ok: true; rel: string; file: string; bytes: number; stat: Stats } | { ok: false; rel: string; reason: string };

/** The run folder's images and pages, each checked by folderFile.ts (a regular file whose real path is inside the folder). */
export class RunAssets {
  constructor(readonly dir: string) {}

  /** `accept` says which names may be read: images by default, or pages (isRunPage). */
  async check(rel: string, accept: (rel: string) => boolean = isRunAsset): Promise<AssetCheck> {
    if (!accept(rel)) return { ok: false, rel, reason: `is not the name of ${accept === isRunPage ? 'a page' : 'an image'} in the run folder` };
    let checked;
    try {
      checked = await checkFolderFile(this.dir, path.join(this.dir, rel));
    } catch (e) {
      if (e instanceof FolderFileRefused) return { ok: false, rel, reason: e.reason };
      return { ok: false, rel, reason: 'is missing from the run folder' };
    }
    if (!checked) return { ok: false, rel, reason: 'is missing from the run folder' };
    if (checked.stat.size > MAX_ASSET_BYTES) return { ok: false, rel, reason: `is larger than ${MAX_ASSET_BYTES / 1024 / 1024} MB` };
    return { ok: true, rel, file: checked.file, bytes: checked.stat.size, stat: checked.stat };
  }

  checkAll(rels: readonly string[]): Promise<AssetCheck[]> {
    return Promise.all(rels.map((rel) => this.check(rel)));
  }

  /** Reads an asset that passed the check, without following a link planted since. */
  async read(asset: Extract<AssetCheck, { ok: true }>): Promise<Buffer> {
    const handle = await openChecked({ file: asset.file, shown: asset.rel, stat: asset.stat });
    try {
      const stat = await handle.stat();
      if (stat.size > MAX_ASSET_BYTES) throw new Error(`${asset.rel} changed while it was read`);
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }
}

/** One line for a refused asset: what and why, never the file it points to. */
export function describeRefused(check: Extract<AssetCheck, { ok: false }>): string {
  return `${check.rel} ${check.reason}; not shown`;
}
