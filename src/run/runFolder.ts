// A run folder (docs/ARCHITECTURE.md, "The trajectory record"): run.json (settings and
// summary, rewritten atomically), trajectory.jsonl (append-only), the query image as
// given, and images/ (the image sent, crops, evidence thumbnails).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EncodedImage, Recorder } from '../core/ports';
import type { NewEvent, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { TrajectoryWriter } from '../core/trajectoryFile';
import { writeFileAtomic } from '../data/atomicFile';

export const TRAJECTORY_FILE = 'trajectory.jsonl';
export const RUN_FILE = 'run.json';
export const IMAGES_DIR = 'images';

/** Sortable and unique enough for one machine: 20261124-051800-3fa2c1. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Refuses a folder that already holds a run: runs are never overwritten. */
export async function assertFreeRunDir(dir: string): Promise<void> {
  for (const name of [TRAJECTORY_FILE, RUN_FILE]) {
    try {
      await fs.access(path.join(dir, name));
    } catch {
      continue;
    }
    throw new Error(`${dir} already holds a run (${name}); choose another output folder`);
  }
}

export class RunFolder implements Recorder {
  private readonly taken = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly writer: TrajectoryWriter,
  ) {}

  get trajectoryPath(): string {
    return this.writer.file;
  }

  /** Creates the folder, copies the image in and writes the header line. */
  static async create(dir: string, header: TrajectoryHeader, files: { image: Buffer; sent: EncodedImage }): Promise<RunFolder> {
    await assertFreeRunDir(dir);
    await fs.mkdir(path.join(dir, IMAGES_DIR), { recursive: true });
    await fs.writeFile(path.join(dir, header.image.path), files.image);
    if (header.image.sent.path) await fs.writeFile(path.join(dir, header.image.sent.path), files.sent.data);
    const writer = await TrajectoryWriter.create(path.join(dir, TRAJECTORY_FILE), header);
    return new RunFolder(dir, writer);
  }

  write(event: NewEvent): Promise<TrajectoryEvent> {
    return this.writer.write(event);
  }

  async saveImage(name: string, image: EncodedImage): Promise<string> {
    const ext = path.extname(name);
    const base = name.slice(0, name.length - ext.length);
    let candidate = name;
    for (let i = 2; this.taken.has(candidate); i++) candidate = `${base}-${i}${ext}`;
    this.taken.add(candidate);
    const rel = `${IMAGES_DIR}/${candidate}`;
    await fs.writeFile(path.join(this.dir, rel), image.data, { flag: 'wx' });
    return rel;
  }

  async writeSummary(summary: unknown): Promise<void> {
    await writeFileAtomic(path.join(this.dir, RUN_FILE), JSON.stringify(summary, null, 2) + '\n');
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
