// Reading and appending trajectory files (JSONL, schema in trajectory.ts).
import { randomBytes } from 'node:crypto';
import { close as closeFd, constants, fstatSync, fsync, ftruncateSync, openSync, promises as fs, writeSync } from 'node:fs';
import * as path from 'node:path';
import { inFolder, openFd, writeFailed } from './files';
import { openFolderFile } from './folderFile';
import { isProblem, parseJsonLine, type LineProblem } from './jsonl';
import { DEFAULT_MAX_LINE_BYTES, readLines } from './lineReader';
import { redact } from './redact';
import { describeSchemaError, eventSchema, headerSchema, type NewEvent, type TrajectoryEvent, type TrajectoryHeader } from './trajectory';

export interface LoadedTrajectory {
  path: string;
  /** Undefined when line 1 is missing or broken; the events still load. */
  header?: TrajectoryHeader;
  events: TrajectoryEvent[];
  /** Line numbers of `events`, parallel to it. */
  lines: number[];
  problems: LineProblem[];
}

type Line = { kind: 'header'; header: TrajectoryHeader } | { kind: 'event'; event: TrajectoryEvent };

/**
 * Builds a LoadedTrajectory line by line, so a file can be read as a stream as well as
 * from text. The header must be the first line that is not blank.
 */
class TrajectoryBuilder {
  private readonly result: LoadedTrajectory;
  private firstContent: number | undefined;

  /** `continuing`: lines appended to a file already read, where a header cannot come. */
  constructor(file: string, continuing = false) {
    this.result = { path: file, events: [], lines: [], problems: [] };
    if (continuing) this.firstContent = 0;
  }

  private readonly check = (value: unknown, line: number): { ok: true; value: Line } | { ok: false; message: string } => {
    const type = (value as { type?: unknown } | null)?.type;
    if (type === 'header') {
      if (line !== this.firstContent) return { ok: false, message: 'a header may only be the first line' };
      const r = headerSchema.safeParse(value);
      return r.success ? { ok: true, value: { kind: 'header', header: r.data } } : { ok: false, message: `bad header: ${describeSchemaError(r.error)}` };
    }
    const r = eventSchema.safeParse(value);
    if (r.success) return { ok: true, value: { kind: 'event', event: r.data } };
    const label = typeof type === 'string' ? `bad ${type} event` : 'not a trajectory event';
    return { ok: false, message: `${label}: ${describeSchemaError(r.error)}` };
  };

  add(raw: string, line: number): void {
    if (raw.trim() === '') return;
    this.firstContent ??= line;
    const parsed = parseJsonLine(raw, line, this.check);
    if (!parsed) return;
    if (isProblem(parsed)) this.result.problems.push(parsed);
    else if (parsed.value.kind === 'header') this.result.header = parsed.value.header;
    else {
      const event = parsed.value.event;
      // Events written before ids were: named by their line, which an append-only file keeps.
      if (event.id === undefined) event.id = `L${line}`;
      this.result.events.push(event);
      this.result.lines.push(line);
    }
  }

  /** A line too long to keep: reported, skipped. */
  skip(line: number, message: string): void {
    this.firstContent ??= line;
    this.result.problems.push({ line, message });
  }

  done(): LoadedTrajectory {
    const first = this.firstContent ?? 1;
    if (first > 0 && !this.result.header && !this.result.problems.some((p) => p.line === first)) {
      this.result.problems.unshift({ line: first, message: 'the first line is not a trajectory header' });
    }
    return this.result;
  }
}

/** Validates trajectory text. Malformed lines become problems; the rest loads. */
export function parseTrajectory(text: string, file = '<trajectory>'): LoadedTrajectory {
  const builder = new TrajectoryBuilder(file);
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    const end = text.indexOf('\n', start);
    builder.add(text.slice(start, end === -1 ? text.length : end).replace(/\r$/, ''), line);
    if (end === -1) break;
    start = end + 1;
  }
  return builder.done();
}

/**
 * Validates trajectory bytes line by line, without one string of the whole file. Lines
 * appended to a file already read (`firstLine` > 1) hold events only.
 */
export function parseTrajectoryBytes(bytes: Uint8Array, file = '<trajectory>', firstLine = 1, maxLineBytes = DEFAULT_MAX_LINE_BYTES): LoadedTrajectory {
  return parseLines(new TrajectoryBuilder(file, firstLine > 1), bytes, firstLine, maxLineBytes);
}

/** A file of events only, from line 1 (an annotator's file, annotationFiles.ts): a header there is a problem. */
export function parseEventBytes(bytes: Uint8Array, file: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): LoadedTrajectory {
  return parseLines(new TrajectoryBuilder(file, true), bytes, 1, maxLineBytes);
}

function parseLines(builder: TrajectoryBuilder, bytes: Uint8Array, firstLine: number, maxLineBytes: number): LoadedTrajectory {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let line = firstLine;
  for (let start = 0; start < buffer.length; line++) {
    const nl = buffer.indexOf(0x0a, start);
    const end = nl === -1 ? buffer.length : nl;
    if (end - start > maxLineBytes)
      builder.skip(
        line,
        `line of ${Math.round((end - start) / 1024 / 1024)} MB, longer than the ${Math.round(maxLineBytes / 1024 / 1024)} MB a line may have; skipped`,
      );
    else builder.add(buffer.toString('utf8', start, end).replace(/\r$/, ''), line);
    start = end + 1;
  }
  return builder.done();
}

export interface ReadOptions {
  /** Refuse files larger than this many bytes, with a one-line TrajectoryTooLarge error. */
  maxBytes?: number;
  maxLineBytes?: number;
  /**
   * The folder the file belongs to (its run folder): the file is read only when its real path
   * lies inside this folder's real path (folderFile.ts). Default: the folder it is named in.
   */
  root?: string;
}

export class TrajectoryTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`${file} is ${Math.round(bytes / 1024 / 1024)} MB, over the ${Math.round(limit / 1024 / 1024)} MB this can read`);
    this.name = 'TrajectoryTooLarge';
  }
}

/**
 * Reads a trajectory as a stream of lines: any size reads without one giant string. Only a
 * regular file inside its run folder is read: a link out of the folder is refused
 * (FolderFileRefused), never opened.
 */
export async function readTrajectory(file: string, options: ReadOptions = {}): Promise<LoadedTrajectory> {
  const root = options.root ?? path.dirname(file);
  const opened = await openFolderFile(root, file);
  if (!opened) throw Object.assign(new Error(`${file} does not exist`), { code: 'ENOENT' });
  const { handle, stat } = opened;
  try {
    if (options.maxBytes !== undefined && stat.size > options.maxBytes) throw new TrajectoryTooLarge(file, stat.size, options.maxBytes);
    const builder = new TrajectoryBuilder(file);
    const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    for await (const l of readLines(handle, maxLine)) {
      if ('text' in l) builder.add(l.text, l.line);
      else
        builder.skip(
          l.line,
          `line of ${Math.round(l.tooLong / 1024 / 1024)} MB, longer than the ${Math.round(maxLine / 1024 / 1024)} MB a line may have; skipped`,
        );
    }
    return builder.done();
  } finally {
    await handle.close();
  }
}

/**
 * Appends events to a trajectory file as they happen: one write(2) per line on a file
 * opened for appending, so a crash loses at most the line being written, and a reader can
 * tail it. The writes are synchronous on purpose: a line is a few hundred bytes, and going
 * through the thread pool cost about half a millisecond per event. `close` fsyncs.
 * Never truncates what was there: opening an existing file appends after its last line. A
 * line that cannot be written whole (a full disk) is cut off again, so the file always ends
 * on a whole line, and the write throws a WriteFailed; the writer takes no more lines.
 */
export class TrajectoryWriter {
  private fd: number | undefined;
  /** Events written by this writer, for their ids. */
  private written = 0;
  /** Ids given by the caller (events copied from another file): generated ids step around them. */
  private readonly given = new Set<string>();
  /** New files number their events e1, e2…; events added to an existing file take ids that cannot collide. */
  private readonly idPrefix: string;
  /** Bytes in the file: where the next line starts (the file is only ever appended to by this writer). */
  private size: number;
  /** The write that failed: every later write fails the same way. */
  private failed: Error | undefined;

  private constructor(
    readonly file: string,
    fd: number,
    size: number,
    /** Removed from every line written: secrets a server may have echoed into an error text. */
    private readonly secrets: readonly string[] = [],
    appending = false,
  ) {
    this.fd = fd;
    this.size = size;
    this.idPrefix = appending ? `a${Date.now().toString(36)}${randomBytes(2).toString('hex')}.` : 'e';
  }

  /** Creates a new trajectory file (and its folder when absent); fails (EEXIST) if one already exists there. */
  static async create(file: string, header: TrajectoryHeader, secrets: readonly string[] = []): Promise<TrajectoryWriter> {
    // Opened off the main thread: many runs at once (a benchmark) must not wait on each other's opens.
    const fd = await inFolder(file, () => openFd(file, 'wx'));
    const writer = new TrajectoryWriter(file, fd, 0, secrets);
    try {
      writer.writeLine(header);
    } catch (e) {
      // Not even the header: no trajectory was made, so none is left.
      await writer.close().catch(() => undefined);
      await fs.rm(file, { force: true }).catch(() => undefined);
      throw e;
    }
    return writer;
  }

  /** Opens an existing trajectory to add events (annotations, a resumed run). */
  static async append(file: string, secrets: readonly string[] = []): Promise<TrajectoryWriter> {
    // Never through a link: the file named is the file written.
    const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0));
    const { size } = fstatSync(fd);
    const writer = new TrajectoryWriter(file, fd, size, secrets, true);
    if (size > 0) {
      // A crash may have left the last line unterminated: end it so the next event starts a line.
      const last = Buffer.alloc(1);
      const probe = await fs.open(file, 'r');
      try {
        await probe.read(last, 0, 1, size - 1);
      } finally {
        await probe.close();
      }
      if (last[0] !== 0x0a) writer.writeBytes(Buffer.from('\n'));
    }
    return writer;
  }

  async write(event: NewEvent | TrajectoryEvent): Promise<TrajectoryEvent> {
    // type, step, time and id first, so a line reads well in a plain text editor.
    const { type, step, id, ...rest } = event as NewEvent & { id?: string };
    this.written++;
    let stampedId = id;
    if (stampedId === undefined) {
      stampedId = `${this.idPrefix}${this.written}`;
      while (this.given.has(stampedId)) stampedId = `${this.idPrefix}${++this.written}`;
    } else this.given.add(stampedId);
    const stamped = Object.assign({ type, step, t: new Date().toISOString(), id: stampedId }, rest) as TrajectoryEvent;
    this.writeLine(stamped);
    return stamped;
  }

  private writeLine(value: unknown): void {
    const line = JSON.stringify(value);
    this.writeBytes(Buffer.from((this.secrets.length ? redact(line, this.secrets) : line) + '\n', 'utf8'));
  }

  /** Appends bytes whole, or cuts off the part that was written and throws. */
  private writeBytes(bytes: Buffer): void {
    if (this.failed) throw this.failed;
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    const fd = this.fd;
    let at = 0;
    try {
      while (at < bytes.length) {
        const n = writeSync(fd, bytes, at, bytes.length - at);
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        at += n;
      }
      this.size += bytes.length;
    } catch (e) {
      this.failed = writeFailed(e, this.file);
      // A torn line would read as a broken one: the file goes back to its last whole line.
      if (at > 0) {
        try {
          ftruncateSync(fd, this.size);
        } catch {
          // nothing more can be done here; readers report the torn line by its number
        }
      }
      throw this.failed;
    }
  }

  /** Flushes the file to disk and closes it; the fsync runs off the main thread, so other runs go on meanwhile. */
  async close(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(writeFailed(e, this.file)) : resolve())));
    } finally {
      await new Promise<void>((resolve) => closeFd(fd, () => resolve()));
    }
  }
}
