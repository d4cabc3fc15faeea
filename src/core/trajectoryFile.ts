// Reading and appending trajectory files (JSONL, schema in trajectory.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseJsonLines, type LineProblem } from './jsonl';
import {
  describeSchemaError,
  eventSchema,
  headerSchema,
  type NewEvent,
  type TrajectoryEvent,
  type TrajectoryHeader,
} from './trajectory';

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
 * Appends events to a trajectory file as they happen: one `write` per line on a file
 * opened for appending, so a crash loses at most the line being written. `close`
 * fsyncs. Never truncates: opening an existing file appends after its last line.
 */
export class TrajectoryWriter {
  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  /** Creates a new trajectory file; fails if one already exists there. */
  static async create(file: string, header: TrajectoryHeader): Promise<TrajectoryWriter> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(file, 'wx');
    const writer = new TrajectoryWriter(file, handle);
    await writer.writeLine(header);
    return writer;
  }

  /** Opens an existing trajectory to add events (annotations, a resumed run). */
  static async append(file: string): Promise<TrajectoryWriter> {
    const handle = await fs.open(file, 'a');
    const writer = new TrajectoryWriter(file, handle);
    const { size } = await handle.stat();
    if (size > 0) {
      // A crash may have left the last line unterminated: end it so the next event starts a line.
      const last = Buffer.alloc(1);
      const probe = await fs.open(file, 'r');
      try {
        await probe.read(last, 0, 1, size - 1);
      } finally {
        await probe.close();
      }
      if (last[0] !== 0x0a) await handle.write('\n');
    }
    return writer;
  }

  async write(event: NewEvent | TrajectoryEvent): Promise<TrajectoryEvent> {
    const stamped = { ...event, t: 't' in event ? event.t : new Date().toISOString() } as TrajectoryEvent;
    await this.writeLine(stamped);
    return stamped;
  }

  private async writeLine(value: unknown): Promise<void> {
    await this.handle.write(JSON.stringify(value) + '\n');
  }

  async close(): Promise<void> {
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}
