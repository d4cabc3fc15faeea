// Serves recorded model turns as an OpenAI-compatible endpoint on 127.0.0.1, so any run
// can be executed again deterministically: GET /v1/models and POST /v1/chat/completions,
// streamed (SSE) or not. A request is matched to a recording by the question in its first
// user message; the turn served is the number of assistant messages already sent.
// For tests and benchmarks it can also inject faults and simulate latency. It answers only
// requests addressed to this machine by name or address (see acceptedHost: DNS rebinding).
import * as http from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { ToolCall } from '../core/chat';
import type { LoadedTrajectory } from '../core/trajectoryFile';
import { isLoopbackAddress, sameAddress } from '../net/addresses';

export interface RecordedTurn {
  text: string;
  reasoning?: string;
  toolCalls?: ToolCall[];
  usage?: { prompt: number; completion: number };
  finishReason?: string | null;
}

export interface Recording {
  question: string;
  model: string;
  turns: RecordedTurn[];
  /** Where it came from, for messages. */
  source: string;
}

/** What the server does to one chat request instead of answering it. */
export type Fault =
  | '429' // rate limited (with retry-after-ms so retries are quick)
  | '500' // server error
  | 'cut' // the connection drops mid-reply
  | 'hang' // no reply at all, until the client gives up
  | 'malformed'; // a 200 whose body is not valid JSON

export interface ReplayOptions {
  host?: string;
  port?: number;
  /** Delay before each chat reply, as a stand-in for the model's own time. */
  latencyMs?: number;
  /** Faults by 1-based chat request number. */
  faults?: Record<number, Fault>;
  /** Refuse requests with more images than this, in vLLM's words. */
  imageLimit?: number;
  /** Characters per streamed content chunk. */
  chunkChars?: number;
  /** Request bodies larger than this are refused with 413 (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /**
   * Other routes served beside the model's (the recorded searches of `gog replay`): called
   * with the method, path and body of a request no model route took; returns the status and
   * JSON to answer, or undefined to let it be a 404.
   */
  routes?: (method: string, path: string, body: Buffer) => Promise<{ status: number; body: unknown } | undefined>;
  /** Sees every parsed chat request (tests inspect what the agent sent). */
  onRequest?: (body: unknown, n: number, headers: http.IncomingHttpHeaders) => void;
}

export interface ReplayStats {
  chatRequests: number;
  /** Sum over chat requests of the time from receiving the request to finishing the reply. */
  answeringMs: number;
  /** The most chat requests under way at once, from their arrival to the end of the reply. */
  peakInFlight: number;
  /** Sum over time of the chat requests under way (ms × requests): over the wall time, how many lanes were busy on average. */
  inFlightMs: number;
}

export interface ReplayServer {
  /** Base URL for an OpenAI client, ending in /v1. */
  url: string;
  models: string[];
  stats: ReplayStats;
  close(): Promise<void>;
}

/** A chat request carries the conversation, images as data URLs included: 64 MB is far more than any real one. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Whether a request's Host names this server as only a local client would: localhost, a
 * loopback address, or the address the connection came in on (when started on another
 * interface with --host). A web page that rebinds its own name to 127.0.0.1 still sends that
 * name: such a request is refused, so no page can drive the server from a browser.
 */
export function acceptedHost(header: string | undefined, localAddress: string | undefined): boolean {
  // A host and an optional port, nothing else (no user info, path or spaces to confuse the parse).
  if (!header || !/^[A-Za-z0-9.:[\]-]+$/.test(header)) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${header}/`).hostname;
  } catch {
    return false;
  }
  if (hostname === 'localhost') return true;
  const address = hostname.replace(/^\[|\]$/g, '');
  if (!isIP(address)) return false;
  return isLoopbackAddress(address) || (localAddress !== undefined && sameAddress(address, localAddress));
}

/** The model turns of a trajectory, in order. */
export function recordingFromTrajectory(t: LoadedTrajectory): Recording {
  if (!t.header) throw new Error(`${t.path}: no trajectory header, so no question to match requests by`);
  const turns: RecordedTurn[] = [];
  for (const e of t.events) {
    if (e.type !== 'model_turn') continue;
    const turn: RecordedTurn = { text: e.raw };
    if (e.reasoning) turn.reasoning = e.reasoning;
    if (e.toolCalls?.length)
      turn.toolCalls = e.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
    if (e.usage) turn.usage = { prompt: e.usage.prompt, completion: e.usage.completion };
    if (e.finishReason !== undefined) turn.finishReason = e.finishReason;
    turns.push(turn);
  }
  if (!turns.length) throw new Error(`${t.path}: no model turns recorded`);
  return { question: t.header.question, model: t.header.model.name, turns, source: t.path };
}

interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

type Message = { role?: unknown; content?: unknown };

/** Why a parsed body is not a chat request we can serve, or undefined when it is one. */
function requestProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the request body must be a JSON object';
  const { model, messages, stream } = body as ChatRequest;
  if (typeof model !== 'string') return '`model` must be a string';
  if (!Array.isArray(messages) || messages.length === 0) return '`messages` must be a non-empty array';
  for (const [i, m] of messages.entries()) {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return `messages[${i}] must be an object`;
    const { role, content } = m as Message;
    if (typeof role !== 'string') return `messages[${i}].role must be a string`;
    if (Array.isArray(content) && content.some((p) => p === null || typeof p !== 'object')) return `messages[${i}].content parts must be objects`;
  }
  if (stream !== undefined && typeof stream !== 'boolean') return '`stream` must be a boolean';
  return undefined;
}

function firstUserText(messages: Message[]): string {
  const user = messages.find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (!Array.isArray(user.content)) return '';
  return user.content.map((p: { type?: unknown; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('\n');
}

function imageCount(messages: Message[]): number {
  let n = 0;
  for (const m of messages) if (Array.isArray(m.content)) n += m.content.filter((p: { type?: unknown }) => p?.type === 'image_url').length;
  return n;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: null, code: status } }, headers);
}

/** Recordings without usage get an estimate: text at four characters a token, images at a flat 256. */
const TOKENS_PER_IMAGE = 256;
function estimateTokens(text: string): number {
  let images = 0;
  const withoutImages = text.replace(/data:image\/[a-z]+;base64,[A-Za-z0-9+/=]+/g, () => (images++, ''));
  return Math.max(1, Math.ceil(withoutImages.length / 4)) + images * TOKENS_PER_IMAGE;
}

export async function startReplayServer(recordings: Recording[], options: ReplayOptions = {}): Promise<ReplayServer> {
  if (!recordings.length) throw new Error('no recordings to replay');
  const models = [...new Set(recordings.map((r) => r.model))];
  const stats: ReplayStats = { chatRequests: 0, answeringMs: 0, peakInFlight: 0, inFlightMs: 0 };
  let inFlight = 0;
  let since = performance.now();
  const lanes = (delta: 1 | -1) => {
    const now = performance.now();
    stats.inFlightMs += inFlight * (now - since);
    since = now;
    inFlight += delta;
  };
  const sockets = new Set<Socket>();
  const chunkChars = Math.max(1, options.chunkChars ?? 48);
  let created = Math.floor(Date.now() / 1000);

  const handleChat = async (headers: http.IncomingHttpHeaders, res: http.ServerResponse, body: string, started: number) => {
    const n = ++stats.chatRequests;
    const fault = options.faults?.[n];
    if (fault === 'hang') return; // the socket stays open until the client or close() ends it
    if (fault === '429') return sendError(res, 429, 'Rate limit reached (injected fault)', 'rate_limit_error', { 'retry-after-ms': '10' });
    if (fault === '500') return sendError(res, 500, 'Internal server error (injected fault)', 'server_error', { 'retry-after-ms': '10' });

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendError(res, 400, 'request body is not valid JSON', 'invalid_request_error');
    }
    const problem = requestProblem(parsed);
    if (problem) return sendError(res, 400, problem, 'invalid_request_error');
    const request = parsed as ChatRequest;
    options.onRequest?.(request, n, headers);
    if (typeof request.model !== 'string' || !models.includes(request.model)) {
      return sendError(res, 404, `The model \`${String(request.model)}\` does not exist.`, 'NotFoundError');
    }
    const messages = Array.isArray(request.messages) ? (request.messages as Message[]) : [];
    if (options.imageLimit !== undefined && imageCount(messages) > options.imageLimit) {
      return sendError(res, 400, `At most ${options.imageLimit} image(s) may be provided in one request.`, 'BadRequestError');
    }
    const question = firstUserText(messages);
    const recording = recordings.find((r) => r.model === request.model && question.includes(r.question));
    if (!recording) return sendError(res, 400, 'no recording matches the question in this request', 'invalid_request_error');
    const index = messages.filter((m) => m.role === 'assistant').length;
    const turn = recording.turns[index];
    if (!turn) return sendError(res, 400, `the recording has ${recording.turns.length} turns; turn ${index + 1} was asked for`, 'invalid_request_error');

    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if (res.destroyed) return;
    const id = `chatcmpl-replay-${n}`;
    created += 1;
    const usage = turn.usage ?? { prompt: estimateTokens(body), completion: estimateTokens(turn.text) };
    const usageBody = { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion };
    const finish = turn.finishReason ?? (turn.toolCalls?.length ? 'tool_calls' : 'stop');

    if (request.stream !== true) {
      if (fault === 'cut') return void res.socket?.destroy();
      if (fault === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"id": "broken", "choices": [ {"message": ');
      }
      const message: Record<string, unknown> = { role: 'assistant', content: turn.text };
      if (turn.reasoning) message.reasoning_content = turn.reasoning;
      if (turn.toolCalls?.length) message.tool_calls = turn.toolCalls;
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: recording.model,
        choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
        usage: usageBody,
      });
      stats.answeringMs += performance.now() - started;
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: recording.model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] })}\n\n`;
    const events: string[] = [chunk({ role: 'assistant', content: '' })];
    for (let i = 0; i < (turn.reasoning ?? '').length; i += chunkChars) events.push(chunk({ reasoning_content: turn.reasoning!.slice(i, i + chunkChars) }));
    for (let i = 0; i < turn.text.length; i += chunkChars) events.push(chunk({ content: turn.text.slice(i, i + chunkChars) }));
    (turn.toolCalls ?? []).forEach((call, index) => {
      const args = call.function.arguments;
      const half = Math.ceil(args.length / 2);
      events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: args.slice(0, half) } }] }));
      events.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }));
    });
    events.push(chunk({}, finish));
    if (request.stream_options?.include_usage === true) {
      events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: recording.model, choices: [], usage: usageBody })}\n\n`);
    }
    events.push('data: [DONE]\n\n');

    if (fault === 'cut') {
      res.write(events.slice(0, Math.max(2, events.length >> 1)).join(''));
      return void setTimeout(() => res.socket?.destroy(), 5);
    }
    if (fault === 'malformed') {
      res.write(events[0]!);
      res.write('data: {"id": "broken", "choices": [\n\n');
      return void res.end();
    }
    res.end(events.join(''));
    stats.answeringMs += performance.now() - started;
  };

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = http.createServer((req, res) => {
    if (!acceptedHost(req.headers.host, req.socket.localAddress)) {
      // Misdirected: the name is not this machine's. Nothing recorded is served, and the connection ends.
      res.on('finish', () => req.socket.destroy());
      return sendError(res, 421, 'gog replay answers only requests addressed to this machine (Host localhost, 127.0.0.1 or [::1])', 'invalid_request_error', {
        connection: 'close',
      });
    }
    const started = performance.now();
    if (req.method === 'POST' && /\/chat\/completions\/*(\?|$)/.test(req.url ?? '')) {
      lanes(1);
      stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
      res.on('close', () => lanes(-1));
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const refuse = () => {
      // Answer at once and drop the connection: the rest of the body is never read.
      res.on('finish', () => req.socket.destroy());
      sendError(res, 413, `request body larger than ${Math.round(maxBodyBytes / 1024 / 1024)} MB`, 'invalid_request_error', { connection: 'close' });
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return refuse();
    req.on('data', (c: Buffer) => {
      if (res.headersSent) return;
      received += c.length;
      if (received > maxBodyBytes) {
        chunks.length = 0;
        return refuse();
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (res.headersSent) return;
      const url = new URL(req.url ?? '/', 'http://replay');
      const route = url.pathname.replace(/\/+$/, '');
      if (req.method === 'GET' && route === '/v1/models') {
        return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'gog-replay' })) });
      }
      if (req.method === 'POST' && route === '/v1/chat/completions') {
        handleChat(req.headers, res, Buffer.concat(chunks).toString('utf8'), started).catch(() => {
          // Requests are checked before they are served: this is our bug, and its text is not the client's business.
          if (!res.headersSent) sendError(res, 500, 'the replay server failed on this request', 'server_error');
          else res.destroy();
        });
        return;
      }
      const notFound = () => sendError(res, 404, `no route ${req.method} ${url.pathname}`, 'invalid_request_error');
      if (!options.routes) return notFound();
      options.routes(req.method ?? 'GET', route, Buffer.concat(chunks)).then(
        (answer) => (answer ? sendJson(res, answer.status, answer.body) : notFound()),
        () => sendError(res, 500, 'the replay server failed on this request', 'server_error'),
      );
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/v1`,
    models,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
