// A run folder (docs/ARCHITECTURE.md, "The trajectory record"): run.json (settings and
// summary, rewritten atomically), trajectory.jsonl (append-only), the query image as
// given, and images/ (the image sent, crops, evidence thumbnails).
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EncodedImage, Recorder } from '../core/ports';
import type { NewEvent, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { writeFailed, WriteFailed, writeNewFile } from '../core/files';
import { TrajectoryWriter } from '../core/trajectoryFile';
import { writeFileAtomic } from '../core/atomicFile';
import { redact } from '../core/redact';

export const TRAJECTORY_FILE = 'trajectory.jsonl';
export const RUN_FILE = 'run.json';
export const IMAGES_DIR = 'images';
/** Pages read for a text search, as text. */
export const PAGES_DIR = 'pages';

/** Sortable and unique enough for one machine: 20261124-051800-3fa2c1. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The run folder cannot be used; nothing was written. The message is one line. */
export class RunDirError extends Error {
  /**
   * @param occupied the folder holds another run's files, or another run claimed it first
   *   (a benchmark run under its lock sets such a sample folder aside: bench.ts)
   */
  constructor(
    message: string,
    readonly occupied = false,
  ) {
    super(message);
    this.name = 'RunDirError';
  }
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Checks, writing nothing, that `dir` can become a new run folder: absent or empty, a folder
 * if present, and writable (or creatable). Runs are never written over, and a run never
 * writes into a folder that holds anything else.
 */
export async function checkRunDir(dir: string): Promise<void> {
  let entries: string[] | undefined;
  // A link (dangling or not) is refused: the run would land wherever it points.
  const link = await fs.lstat(dir).then(
    (st) => st.isSymbolicLink(),
    () => false,
  );
  if (link) {
    const to = await fs.stat(dir).catch(() => undefined);
    throw new RunDirError(`--out ${dir} is a symbolic link${to ? '' : ' to nothing'}; give a new or empty folder for the run itself, not a link`);
  }
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new RunDirError(`${dir} is a file, not a folder; give a new or empty folder for the run`);
    entries = await fs.readdir(dir);
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    const code = errnoOf(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new RunDirError(`cannot use ${dir} for the run: ${(e as Error).message}`);
  }
  if (entries) {
    const held = [TRAJECTORY_FILE, RUN_FILE].find((name) => entries.includes(name));
    if (held) throw new RunDirError(`${dir} already holds a run (${held}); choose another output folder`, true);
    if (entries.length) {
      const shown = entries.slice(0, 3).join(', ');
      throw new RunDirError(
        `${dir} is not empty (${shown}${entries.length > 3 ? ', …' : ''}); a run goes into a new or empty folder, never over other files`,
        true,
      );
    }
  }
  // The folder, or the nearest part of its path that exists, must let us create files.
  let existing = dir;
  while (!entries) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
    try {
      const stat = await fs.stat(existing);
      if (!stat.isDirectory()) throw new RunDirError(`cannot create ${dir}: ${existing} is a file, not a folder`);
      break;
    } catch (e) {
      if (e instanceof RunDirError) throw e;
      if (errnoOf(e) !== 'ENOENT') throw new RunDirError(`cannot create ${dir}: ${(e as Error).message}`);
    }
  }
  try {
    await fs.access(existing, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    throw new RunDirError(`cannot write the run to ${dir}: ${existing} is not writable${errnoOf(e) === 'EROFS' ? ' (a read-only file system)' : ''}`);
  }
}

export class RunFolder implements Recorder {
  private readonly taken = new Set<string>();
  /** The first write that failed (a full disk): the record is not whole, and the run must not pass for one that is. */
  private failed: Error | undefined;

  private constructor(
    readonly dir: string,
    private readonly writer: TrajectoryWriter,
    private readonly secrets: readonly string[],
    /** The folder was there (empty) before the run: it stays when the run is discarded. */
    private readonly existed: boolean,
    /** The query image's name in the folder. */
    private readonly imagePath: string,
    /** Called before each write by name; throws to stop one (see runQuery's beforeWrite). */
    private readonly guard: () => void = () => undefined,
  ) {}

  get trajectoryPath(): string {
    return this.writer.file;
  }

  /** The first write to the folder that failed, if one did. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /**
   * Creates the folder and claims it by creating trajectory.jsonl exclusively, before any
   * other file: of two runs racing for one folder, the loser gets a RunDirError having
   * written nothing. Then the header line, the image as given and the image as sent.
   * `secrets` are removed from every line written (defence in depth: error texts are
   * already redacted where they are made). `checked`: the caller has just run checkRunDir.
   * A write that fails here (a full disk) removes everything this made and throws a
   * WriteFailed with `nothingWritten` set: the run never started.
   */
  static async create(
    dir: string,
    header: TrajectoryHeader,
    files: { image: Buffer; sent: EncodedImage },
    secrets: readonly string[] = [],
    options: { checked?: boolean; guard?: () => void } = {},
  ): Promise<RunFolder> {
    if (!options.checked) await checkRunDir(dir);
    const existed = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    await fs.mkdir(dir, { recursive: true }).catch((e: unknown) => Promise.reject(writeFailed(e, dir)));
    let writer: TrajectoryWriter;
    try {
      writer = await TrajectoryWriter.create(path.join(dir, TRAJECTORY_FILE), header, secrets);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') throw new RunDirError(`another run took ${dir} first; choose another output folder`, true);
      if (!existed) await fs.rmdir(dir).catch(() => undefined);
      throw notStarted(e, path.join(dir, TRAJECTORY_FILE));
    }
    const folder = new RunFolder(dir, writer, secrets, existed, header.image.path, options.guard);
    try {
      await fs.mkdir(path.join(dir, IMAGES_DIR)).catch((e: unknown) => Promise.reject(writeFailed(e, path.join(dir, IMAGES_DIR))));
      await writeNewFile(path.join(dir, header.image.path), files.image);
      if (header.image.sent.path) await writeNewFile(path.join(dir, header.image.sent.path), files.sent.data);
    } catch (e) {
      await folder.discard();
      throw notStarted(e, dir);
    }
    return folder;
  }

  /**
   * Removes the run's files, for a run that could not start (its first files did not fit on
   * the disk): the folder was new or empty (checkRunDir), so what is in it now is ours.
   */
  async discard(): Promise<void> {
    await this.writer.close().catch(() => undefined);
    await Promise.all(
      [TRAJECTORY_FILE, IMAGES_DIR, PAGES_DIR, this.imagePath, RUN_FILE].map((name) =>
        fs.rm(path.join(this.dir, name), { recursive: true, force: true }).catch(() => undefined),
      ),
    );
    if (!this.existed) await fs.rmdir(this.dir).catch(() => undefined);
  }

  /** Runs a write; the first that fails is remembered (see `failure`) and rethrown as a WriteFailed. */
  private async track<T>(file: string, write: () => Promise<T>): Promise<T> {
    this.guard();
    try {
      return await write();
    } catch (e) {
      const failed = writeFailed(e, file);
      this.failed ??= failed;
      throw failed;
    }
  }

  /** Writes an event; one copied from another run keeps its id and time. */
  write(event: NewEvent | TrajectoryEvent): Promise<TrajectoryEvent> {
    return this.track(this.writer.file, () => this.writer.write(event));
  }

  /** A file of another run copied in under its own name (`images/…`, `pages/…`), which new files then avoid. */
  async copyIn(rel: string, data: Buffer): Promise<void> {
    if (!/^(images|pages)\/[\w][\w.-]*$/.test(rel)) throw new Error(`${rel} is not a file of a run folder`);
    this.taken.add(rel);
    const file = path.join(this.dir, rel);
    await this.track(file, async () => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeNewFile(file, data);
    });
  }

  /** A name not yet used in `folder`: `name`, or `name-2`, `name-3`… before the extension. */
  private fresh(folder: string, name: string): string {
    const ext = path.extname(name);
    const base = name.slice(0, name.length - ext.length);
    let candidate = `${folder}/${name}`;
    for (let i = 2; this.taken.has(candidate); i++) candidate = `${folder}/${base}-${i}${ext}`;
    this.taken.add(candidate);
    return candidate;
  }

  async saveImage(name: string, image: EncodedImage): Promise<string> {
    return this.saveNew(IMAGES_DIR, name, (file) => writeNewFile(file, image.data));
  }

  /**
   * Writes a new file under a fresh name; a name found taken on disk (a file this process
   * did not write: a process that lost the run finishing its last write) is passed over.
   */
  private async saveNew(folder: string, name: string, write: (file: string) => Promise<void>): Promise<string> {
    for (let tries = 0; ; tries++) {
      const rel = this.fresh(folder, name);
      const file = path.join(this.dir, rel);
      try {
        await this.track(file, () => write(file));
        return rel;
      } catch (e) {
        if (tries >= 8 || !(e instanceof WriteFailed) || e.code !== 'EEXIST') throw e;
        if (this.failed === e) this.failed = undefined;
      }
    }
  }

  async saveText(name: string, text: string): Promise<string> {
    return this.saveNew(PAGES_DIR, name, async (file) => {
      await fs.mkdir(path.join(this.dir, PAGES_DIR), { recursive: true });
      await writeNewFile(file, redact(text, this.secrets));
    });
  }

  /** run.json, replaced whole; `durable: false` skips the fsync (the file is then never half written, but may be empty after a crash). */
  async writeSummary(summary: unknown, options: { durable?: boolean } = {}): Promise<void> {
    const file = path.join(this.dir, RUN_FILE);
    await this.track(file, () => writeFileAtomic(file, redact(JSON.stringify(summary, null, 2), this.secrets) + '\n', options));
  }

  /** Flushes and closes the trajectory; a flush that fails is a failed write. */
  close(): Promise<void> {
    return this.track(this.writer.file, () => this.writer.close());
  }
}

/** A write that failed while the folder was being made: nothing of the run is left. */
function notStarted(e: unknown, file: string): Error {
  const failed = writeFailed(e, file);
  if (failed instanceof WriteFailed) failed.nothingWritten = true;
  return failed;
}
