// Reading and appending trajectory files (JSONL, schema in trajectory.ts).
import { closeSync, fsyncSync, openSync, promises as fs, writeSync } from 'node:fs';
import * as path from 'node:path';
import { parseJsonLines, type LineProblem } from './jsonl';
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

/** Validates trajectory text. Malformed lines become problems; the rest loads. */
export function parseTrajectory(text: string, file = '<trajectory>'): LoadedTrajectory {
  const parsed = parseJsonLines<Line>(text, (value, line) => {
    const type = (value as { type?: unknown } | null)?.type;
    if (type === 'header') {
      if (line !== firstContentLine(text)) return { ok: false, message: 'a header may only be the first line' };
      const r = headerSchema.safeParse(value);
      return r.success ? { ok: true, value: { kind: 'header', header: r.data } } : { ok: false, message: `bad header: ${describeSchemaError(r.error)}` };
    }
    const r = eventSchema.safeParse(value);
    if (r.success) return { ok: true, value: { kind: 'event', event: r.data } };
    const label = typeof type === 'string' ? `bad ${type} event` : 'not a trajectory event';
    return { ok: false, message: `${label}: ${describeSchemaError(r.error)}` };
  });
  const result: LoadedTrajectory = { path: file, events: [], lines: [], problems: parsed.problems };
  for (const item of parsed.items) {
    if (item.value.kind === 'header') result.header = item.value.header;
    else {
      result.events.push(item.value.event);
      result.lines.push(item.line);
    }
  }
  if (!result.header && !parsed.problems.some((p) => p.line === firstContentLine(text))) {
    result.problems.unshift({ line: firstContentLine(text), message: 'the first line is not a trajectory header' });
  }
  return result;
}

function firstContentLine(text: string): number {
  let line = 1;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end === -1 ? text.length : end);
    if (raw.trim() !== '') return line;
    if (end === -1) break;
    start = end + 1;
    line++;
  }
  return 1;
}

export async function readTrajectory(file: string): Promise<LoadedTrajectory> {
  const text = await fs.readFile(file, 'utf8');
  return parseTrajectory(text, file);
}

/**
 * Appends events to a trajectory file as they happen: one write(2) per line on a file
 * opened for appending, so a crash loses at most the line being written, and a reader can
 * tail it. The writes are synchronous on purpose: a line is a few hundred bytes, and going
 * through the thread pool cost about half a millisecond per event. `close` fsyncs.
 * Never truncates: opening an existing file appends after its last line.
 */
export class TrajectoryWriter {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Creates a new trajectory file; fails if one already exists there. */
  static async create(file: string, header: TrajectoryHeader): Promise<TrajectoryWriter> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const writer = new TrajectoryWriter(file, openSync(file, 'wx'));
    writer.writeLine(header);
    return writer;
  }

  /** Opens an existing trajectory to add events (annotations, a resumed run). */
  static async append(file: string): Promise<TrajectoryWriter> {
    const { size } = await fs.stat(file);
    const writer = new TrajectoryWriter(file, openSync(file, 'a'));
    if (size > 0) {
      // A crash may have left the last line unterminated: end it so the next event starts a line.
      const last = Buffer.alloc(1);
      const probe = await fs.open(file, 'r');
      try {
        await probe.read(last, 0, 1, size - 1);
      } finally {
        await probe.close();
      }
      if (last[0] !== 0x0a) writeSync(writer.fd!, '\n');
    }
    return writer;
  }

  async write(event: NewEvent | TrajectoryEvent): Promise<TrajectoryEvent> {
    // type, step and time first, so a line reads well in a plain text editor.
    const { type, step, ...rest } = event;
    const stamped = Object.assign({ type, step, t: new Date().toISOString() }, rest) as TrajectoryEvent;
    this.writeLine(stamped);
    return stamped;
  }

  private writeLine(value: unknown): void {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    writeSync(this.fd, JSON.stringify(value) + '\n');
  }

  async close(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
