// The files of a run folder that a record names (the image as sent, gaze crops, evidence
// thumbnails). A run folder may come from someone else, so a name in it is trusted only when
// it resolves to a regular file whose real path is inside the folder's real path: a symlink
// to /etc/passwd, or to anything outside, is refused, never read, shown or shipped.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';

/** A path from the record that may name an image in the run folder: images/… or the image itself, never upward. */
export function isRunAsset(rel: string): boolean {
  return /^(images\/)?[\w][\w.-]*\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i.test(rel) && !rel.includes('..');
}

/** An image larger than this is not one of ours (crops and thumbnails are small; the sent image is capped). */
export const MAX_ASSET_BYTES = 64 * 1024 * 1024;

export type AssetCheck = { ok: true; rel: string; file: string; bytes: number } | { ok: false; rel: string; reason: string };

/** Every image the panel would show for this record, in the order it shows them. */
export function referencedAssets(header: TrajectoryHeader | undefined, events: readonly TrajectoryEvent[]): string[] {
  const out = new Set<string>();
  if (header) out.add(header.image.sent.path ?? header.image.path);
  for (const e of events) {
    if (e.type === 'action' && e.action.kind === 'image_search' && e.action.crop) out.add(e.action.crop);
    if (e.type === 'observation') for (const r of e.results) if (r.thumbnail) out.add(r.thumbnail);
  }
  return [...out];
}

/** Resolves real paths once per folder; a check of many assets costs one realpath each. */
export class RunAssets {
  private realDir: Promise<string> | undefined;

  constructor(readonly dir: string) {}

  async check(rel: string): Promise<AssetCheck> {
    if (!isRunAsset(rel)) return { ok: false, rel, reason: 'is not the name of an image in the run folder' };
    const file = path.join(this.dir, rel);
    let real: string;
    try {
      this.realDir ??= fs.realpath(this.dir);
      real = await fs.realpath(file);
    } catch {
      return { ok: false, rel, reason: 'is missing from the run folder' };
    }
    const root = await this.realDir;
    if (!real.startsWith(root + path.sep)) return { ok: false, rel, reason: 'links to a file outside the run folder' };
    const stat = await fs.stat(real).catch(() => undefined);
    if (!stat?.isFile()) return { ok: false, rel, reason: 'is not a regular file' };
    if (stat.size > MAX_ASSET_BYTES) return { ok: false, rel, reason: `is larger than ${MAX_ASSET_BYTES / 1024 / 1024} MB` };
    return { ok: true, rel, file: real, bytes: stat.size };
  }

  checkAll(rels: readonly string[]): Promise<AssetCheck[]> {
    return Promise.all(rels.map((rel) => this.check(rel)));
  }

  /** Reads an asset that passed the check, without following a link planted since. */
  async read(asset: Extract<AssetCheck, { ok: true }>): Promise<Buffer> {
    const handle = await fs.open(asset.file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > MAX_ASSET_BYTES) throw new Error(`${asset.rel} changed while it was read`);
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
