// Reads a chat-completions reply from the raw HTTP response, whatever the server sent: an
// SSE stream, a whole JSON completion (also when a stream was asked for and the server
// ignored that), or something that is not an OpenAI-compatible reply at all (an HTML page,
// a proxy's text), which is named as such with its first bytes. At most `maxChars` of a
// reply are kept; what arrived before a failure stays readable as the partial reply.
import type { ToolCall } from '../core/chat';
import type { ModelReply, ReplyCut } from '../core/ports';

export interface ReadOptions {
  /** Characters of text, reasoning and tool-call arguments kept, together. */
  maxChars: number;
  onDelta?: (text: string) => void;
}

/** The server answered 2xx with something that is not a chat completion. */
export class NotAnOpenAIReply extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly firstBytes: string,
    readonly what: 'html' | 'other',
  ) {
    super(`not an OpenAI-compatible reply (${contentType || 'no content type'})`);
    this.name = 'NotAnOpenAIReply';
  }
}

/** More than a cap allows: a whole JSON reply, one stream line or event, the body after decompression. Not worth asking again. */
export class ReplyTooLarge extends Error {
  constructor(
    readonly limitBytes: number,
    /** What was too large: "a reply", "a stream line"… */
    readonly what = 'a reply',
    /** What the cap follows, when a setting moves it. */
    readonly hint?: string,
  ) {
    super(`${what} larger than ${megabytes(limitBytes)}`);
    this.name = 'ReplyTooLarge';
  }
}

export function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/**
 * A 2xx body that is no usable reply: the server put an `error` object in it or in an SSE
 * event (vLLM does, mid-stream), or the JSON is malformed or lacks a message.
 */
export class ReplyError extends Error {
  constructor(
    message: string,
    readonly fromServer: boolean,
  ) {
    super(message);
    this.name = 'ReplyError';
  }
}

/** A stream that failed after it started; the SDK cannot retry it, the caller may. */
export class StreamCut extends Error {
  constructor(
    override readonly cause: unknown,
    readonly received: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'StreamCut';
  }
}

/** The longest SSE line (and event) accepted: a chunk is small; a line that never ends is not a stream. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Bytes shown of a reply that is not one. */
const SHOWN_BYTES = 160;

type Usage = { prompt: number; completion: number };

/** Builds a reply from deltas or a whole message, keeping at most maxChars. */
export class ReplyAccumulator {
  text = '';
  reasoning = '';
  finishReason: string | null = null;
  usage: Usage | undefined;
  cut: ReplyCut | undefined;
  private readonly calls: { id: string; name: string; arguments: string }[] = [];
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get received(): number {
    return this.chars;
  }

  get full(): boolean {
    return this.cut !== undefined;
  }

  /** Takes as much of `piece` as the cap allows; marks the reply cut when it does not all fit. */
  private take(piece: string): string {
    const room = this.maxChars - this.chars;
    if (piece.length <= room) {
      this.chars += piece.length;
      return piece;
    }
    this.chars = this.maxChars;
    this.cut = { reason: 'too_long', message: `the reply was cut at ${this.maxChars.toLocaleString('en-US')} characters` };
    return piece.slice(0, Math.max(0, room));
  }

  addText(piece: string, onDelta?: (text: string) => void): void {
    const kept = this.take(piece);
    this.text += kept;
    if (kept) onDelta?.(kept);
  }

  addReasoning(piece: string): void {
    this.reasoning += this.take(piece);
  }

  addCall(index: number, part: { id?: string; name?: string; arguments?: string }): void {
    const slot = (this.calls[index] ??= { id: '', name: '', arguments: '' });
    if (part.id) slot.id = part.id;
    if (part.name) slot.name += this.take(part.name);
    if (part.arguments) slot.arguments += this.take(part.arguments);
  }

  reply(): ModelReply {
    const reply: ModelReply = { text: this.text, finishReason: this.finishReason };
    if (this.reasoning) reply.reasoning = this.reasoning;
    const toolCalls: ToolCall[] = this.calls
      .filter(Boolean)
      .map((c, i) => ({ id: c.id || `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    if (toolCalls.length) reply.toolCalls = toolCalls;
    if (this.usage) reply.usage = this.usage;
    if (this.cut) reply.cut = this.cut;
    return reply;
  }
}

function bodyReader(response: Response): ReadableStreamDefaultReader<Uint8Array> | undefined {
  return (response.body as ReadableStream<Uint8Array> | null)?.getReader();
}

function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

async function firstBytes(response: Response): Promise<string> {
  const reader = bodyReader(response);
  if (!reader) return '';
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    while (bytes.length < SHOWN_BYTES) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      const joined: Uint8Array = new Uint8Array(bytes.length + value.length);
      joined.set(bytes);
      joined.set(value, bytes.length);
      bytes = joined;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, SHOWN_BYTES)).replace(/\s+/g, ' ').trim();
}

/** The body as text, refusing to read past `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string> {
  const reader = bodyReader(response);
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      bytes += value.length;
      if (bytes > limit) throw new ReplyTooLarge(limit);
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text + decoder.decode();
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function errorMessage(body: Record<string, unknown>): string | undefined {
  const error = body.error;
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  const message = record(error)?.message;
  return typeof message === 'string' ? message : JSON.stringify(error).slice(0, 300);
}

function readUsage(value: unknown): Usage | undefined {
  const u = record(value);
  if (!u || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return undefined;
  return { prompt: u.prompt_tokens, completion: u.completion_tokens };
}

/** A whole chat.completion object into the accumulator. */
function readCompletion(body: Record<string, unknown>, acc: ReplyAccumulator, onDelta?: (text: string) => void): void {
  const failure = errorMessage(body);
  if (failure !== undefined) throw new ReplyError(failure, true);
  const choices = body.choices;
  const choice = Array.isArray(choices) ? record(choices[0]) : undefined;
  const message = record(choice?.message);
  if (!choice || !message) throw new ReplyError('the reply has no choices[0].message', false);
  if (typeof message.reasoning_content === 'string') acc.addReasoning(message.reasoning_content);
  if (typeof message.content === 'string') acc.addText(message.content, onDelta);
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  calls.forEach((raw, index) => {
    const call = record(raw);
    const fn = record(call?.function);
    if (!call || !fn || (call.type !== undefined && call.type !== 'function')) return;
    acc.addCall(index, {
      ...(typeof call.id === 'string' ? { id: call.id } : {}),
      ...(typeof fn.name === 'string' ? { name: fn.name } : {}),
      arguments: typeof fn.arguments === 'string' ? fn.arguments : fn.arguments === undefined ? '' : JSON.stringify(fn.arguments),
    });
  });
  acc.finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : 'stop';
  acc.usage = readUsage(body.usage);
}

/** One chat.completion.chunk into the accumulator. */
function readChunk(chunk: Record<string, unknown>, acc: ReplyAccumulator, onDelta?: (text: string) => void): void {
  const failure = errorMessage(chunk);
  if (failure !== undefined) throw new ReplyError(failure, true);
  const usage = readUsage(chunk.usage);
  if (usage) acc.usage = usage;
  const choices = chunk.choices;
  const choice = Array.isArray(choices) ? record(choices[0]) : undefined;
  if (!choice) return;
  const delta = record(choice.delta);
  if (delta) {
    if (typeof delta.reasoning_content === 'string') acc.addReasoning(delta.reasoning_content);
    if (typeof delta.content === 'string') acc.addText(delta.content, onDelta);
    if (Array.isArray(delta.tool_calls)) {
      for (const raw of delta.tool_calls) {
        const tc = record(raw);
        if (!tc) continue;
        const fn = record(tc.function);
        acc.addCall(typeof tc.index === 'number' ? tc.index : 0, {
          ...(typeof tc.id === 'string' ? { id: tc.id } : {}),
          ...(typeof fn?.name === 'string' ? { name: fn.name } : {}),
          ...(typeof fn?.arguments === 'string' ? { arguments: fn.arguments } : {}),
        });
      }
    }
  }
  if (typeof choice.finish_reason === 'string' && choice.finish_reason) acc.finishReason = choice.finish_reason;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

/**
 * The lines of a byte stream, in time linear in its length: a line end is looked for only in
 * the bytes that just came, the pieces of an unfinished line are kept as they came and joined
 * once, and a line is refused as soon as it is longer than `maxLine`, not when it ends.
 */
export class LineSplitter {
  private pieces: Uint8Array[] = [];
  private pending = 0;

  constructor(private readonly maxLine: number) {}

  /** Calls `line` with each line ended in `chunk` (without its CR LF or LF). */
  push(chunk: Uint8Array, line: (bytes: Uint8Array) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.grow(nl - start);
      line(this.take(chunk.subarray(start, nl)));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.grow(chunk.length - start);
      this.pieces.push(chunk.subarray(start));
    }
  }

  /** What is left after the last line end (undefined when nothing is). */
  end(): Uint8Array | undefined {
    return this.pending || this.pieces.length ? this.take(new Uint8Array(0)) : undefined;
  }

  private grow(bytes: number): void {
    this.pending += bytes;
    if (this.pending > this.maxLine) throw new ReplyTooLarge(this.maxLine, 'a stream line');
  }

  private take(last: Uint8Array): Uint8Array {
    let whole = last;
    if (this.pieces.length) {
      whole = new Uint8Array(this.pending);
      let at = 0;
      for (const p of [...this.pieces, last]) {
        whole.set(p, at);
        at += p.length;
      }
    }
    this.pieces = [];
    this.pending = 0;
    return whole.length && whole[whole.length - 1] === CR ? whole.subarray(0, whole.length - 1) : whole;
  }
}

const DATA_PREFIX = [0x64, 0x61, 0x74, 0x61, COLON]; // "data:"

function isData(line: Uint8Array): boolean {
  return line.length >= 5 && DATA_PREFIX.every((b, i) => line[i] === b);
}

/** `data:` payloads of a server-sent event stream, one per event; lines and events are bounded in length. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const lines = new LineSplitter(MAX_LINE_BYTES);
  let data: string[] = [];
  let dataBytes = 0;
  const events: string[] = [];
  // Only blank lines (the end of an event) and data lines matter: comments, event:, id: and
  // retry: carry nothing a chat completion needs, and are passed over without decoding.
  const onLine = (line: Uint8Array) => {
    if (line.length === 0) {
      if (data.length) events.push(data.join('\n'));
      data = [];
      dataBytes = 0;
    } else if (isData(line)) {
      const payload = line.subarray(line[5] === 0x20 ? 6 : 5);
      dataBytes += payload.length;
      if (dataBytes > MAX_LINE_BYTES) throw new ReplyTooLarge(MAX_LINE_BYTES, 'a stream event');
      data.push(decoder.decode(payload));
    }
  };
  let first = true;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // A byte-order mark may open the stream (as a streaming TextDecoder would, it is dropped).
      const bom = first && value.length >= 3 && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf;
      first = false;
      lines.push(bom ? value.subarray(3) : value, onLine);
      yield* events.splice(0);
    }
    const last = lines.end();
    if (last && isData(last)) onLine(last);
    if (data.length) events.push(data.join('\n'));
    yield* events.splice(0);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function readStream(response: Response, acc: ReplyAccumulator, options: ReadOptions): Promise<void> {
  const body = response.body as ReadableStream<Uint8Array> | null;
  if (!body) throw new StreamCut(new Error('the stream has no body'), 0);
  try {
    for await (const data of sseData(body)) {
      if (data.startsWith('[DONE]')) break;
      let chunk: Record<string, unknown> | undefined;
      try {
        chunk = record(JSON.parse(data));
      } catch {
        throw new Error(`a stream event is not valid JSON: ${data.slice(0, 80)}`);
      }
      if (chunk) readChunk(chunk, acc, options.onDelta);
      if (acc.full) break; // enough kept: stop reading (the caller ends the request)
    }
  } catch (e) {
    // The server's own error, or a reply too large to take: asking again would get the same.
    if (e instanceof ReplyError || e instanceof ReplyTooLarge) throw e;
    throw new StreamCut(e, acc.received);
  }
  if (acc.full) {
    acc.finishReason = 'length';
    return;
  }
  // Servers always end a reply with a finish reason; without one the stream was cut short.
  if (acc.finishReason === null) throw new StreamCut(new Error('the stream ended before the reply was finished'), acc.received);
}

/**
 * Reads the reply of a 2xx response into `acc` (which keeps whatever arrived if this throws).
 * Throws NotAnOpenAIReply, ReplyTooLarge, ReplyError, StreamCut, or the body's read error.
 */
export async function readReply(response: Response, acc: ReplyAccumulator, options: ReadOptions): Promise<ModelReply> {
  const type = mediaType(response);
  if (type === 'text/event-stream') {
    await readStream(response, acc, options);
    return acc.reply();
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    // JSON escapes can take six bytes a character; the envelope is small.
    const limit = options.maxChars * 6 + 1024 * 1024;
    const text = await boundedText(response, limit);
    let body: Record<string, unknown> | undefined;
    try {
      body = record(JSON.parse(text));
    } catch (e) {
      throw new ReplyError(`the reply is not valid JSON (${(e as Error).message.split('\n')[0]}): ${text.slice(0, 80).replace(/\s+/g, ' ')}`, false);
    }
    if (!body) throw new ReplyError('the reply is not a JSON object', false);
    readCompletion(body, acc, options.onDelta);
    if (acc.full) acc.finishReason = 'length';
    return acc.reply();
  }
  const shown = await firstBytes(response);
  const html = type === 'text/html' || /^<(!doctype|html|head|body)\b/i.test(shown);
  throw new NotAnOpenAIReply(response.status, type, shown, html ? 'html' : 'other');
}
