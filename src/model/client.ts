// The model endpoint: any OpenAI-compatible chat-completions server (vLLM, SGLang,
// Ollama, LM Studio, hosted APIs) through the `openai` SDK. The SDK sends the request and
// retries 408/409/429, 5xx and connection errors with backoff; this module gives each turn
// one deadline (connect, first token and the whole reply, retries included), reads the
// reply itself (replyReader.ts: streams, whole replies, things that are not replies, a cap
// on what is kept; boundedResponse.ts: a cap on the bytes of every body), and turns
// failures into one-line, secret-free errors. A reply that echoes this client's key (or a
// token of its URL) is redacted before anyone sees it: the agent, a judge's verdict, a page
// summary.
import OpenAI from 'openai';
import { countImages } from '../core/chat';
import { Redactor } from '../core/redact';
import type { ModelPort, ModelReply, ModelRequest } from '../core/ports';
import { ChatBodyEncoder } from './chatBody';
import { parseEndpoint, type Endpoint } from './endpoint';
import { describeModelError, ModelError, timeoutError } from './errors';
import { replyBodyCap, withBodyCaps } from './boundedResponse';
import { httpFetch } from './httpFetch';
import { readReply, ReplyAccumulator, ReplyTooLarge, StreamCut } from './replyReader';
import type { Slots } from './slots';

export interface ModelSettings {
  /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 (a query string is kept and sent). */
  endpoint: string;
  /** Model name; empty means "the first model the endpoint lists". */
  model: string;
  apiKey?: string;
  temperature: number;
  maxTokens: number;
  /** The most one model turn may take: connecting, waiting, streaming, retries. */
  timeoutMs: number;
  /** SDK retries on 429/5xx/connection errors. */
  maxRetries: number;
  stream: boolean;
  /** Characters of a reply kept (text, reasoning and tool-call arguments together). */
  maxReplyChars: number;
}

export { DEFAULT_ENDPOINT, DEFAULT_MODEL_SETTINGS } from './modelDefaults';

/** Stream cuts the SDK cannot retry (the response had started): retried here, whole turn. */
const STREAM_RETRIES = 1;
/** A model list should come back quickly; a server busy with long turns still answers it. */
const PREFLIGHT_MAX_MS = 60_000;

/**
 * A signal that follows `parent` and also fires after `ms`: one per turn, and a child of it
 * per request. The SDK adds an abort listener to the signal it is given and never removes
 * it, so handing it a long-lived signal would pile up one listener per request.
 */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly ends: number;
  private readonly onAbort = () => this.controller.abort(this.parent.reason);
  expired = false;

  constructor(
    private readonly parent: AbortSignal,
    ms: number,
  ) {
    this.ends = Date.now() + ms;
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException('the turn took too long', 'TimeoutError'));
    }, ms);
  }

  /**
   * Whether the time is up. Also true just before this deadline's own timer fires: a request's
   * child deadline or the SDK's timeout (both set from remaining()) can end the request a
   * moment earlier, and that is still this deadline running out, not another failure.
   */
  get over(): boolean {
    return this.expired || Date.now() >= this.ends - 10; // timers and Date.now() keep different clocks: a little slack
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left, at least 1 (the SDK wants a positive timeout). */
  remaining(): number {
    return Math.max(1, this.ends - Date.now());
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onAbort);
  }
}

export class ModelClient implements ModelPort {
  private readonly client: OpenAI;
  private readonly target: Endpoint;
  private readonly bodies = new ChatBodyEncoder();
  /** Requests under way; the encoder's body is a view that the next request rewrites. */
  private inFlight = 0;
  private modelName: string;
  private readonly redactor: Redactor;

  constructor(
    private readonly settings: ModelSettings,
    /** Shared by clients whose requests in flight are bounded together (a benchmark's --concurrency). */
    private readonly slots?: Slots,
  ) {
    this.target = parseEndpoint(settings.endpoint);
    this.client = new OpenAI({
      baseURL: this.target.baseURL,
      // A query string in the endpoint (a gateway's token, say) goes with every request.
      ...(Object.keys(this.target.query).length ? { defaultQuery: this.target.query } : {}),
      // vLLM and SGLang accept any key unless started with --api-key; the SDK needs a non-empty one.
      apiKey: settings.apiKey || 'EMPTY',
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      // Failures reach the user through our one-line errors; the SDK's own logging could
      // print request bodies or raw server text, so it stays off.
      logLevel: 'off',
      // Every body is capped as it arrives, after decompression: the replies read here and
      // what the SDK reads itself (the model list, an error's body).
      fetch: withBodyCaps(httpFetch, replyBodyCap(settings.maxReplyChars)),
    });
    this.modelName = settings.model;
    this.redactor = new Redactor(this.secrets);
  }

  get model(): string {
    return this.modelName;
  }

  /** The endpoint without credentials or query string. */
  get endpoint(): string {
    return this.target.public;
  }

  /** Everything an error text or a record must not repeat. */
  get secrets(): readonly string[] {
    return [...(this.settings.apiKey ? [this.settings.apiKey] : []), ...this.target.secrets];
  }

  private context(imagesSent?: number) {
    return {
      endpoint: this.endpoint,
      model: this.modelName,
      secrets: this.secrets,
      timeoutMs: this.settings.timeoutMs,
      ...(imagesSent !== undefined ? { imagesSent } : {}),
    };
  }

  /**
   * Checks the endpoint answers and serves the model (GET /models); picks the first
   * served model when none was named. Servers without /models are taken on trust.
   */
  async preflight(signal?: AbortSignal): Promise<{ model: string; served: string[] }> {
    let served: string[];
    const limit = Math.min(this.settings.timeoutMs, PREFLIGHT_MAX_MS);
    const deadline = new Deadline(signal ?? new AbortController().signal, limit);
    try {
      const page = await this.client.models.list({ signal: deadline.signal, timeout: limit, maxRetries: Math.min(1, this.settings.maxRetries) });
      served = page.data.map((m) => m.id);
    } catch (e) {
      if (deadline.over) throw timeoutError({ endpoint: this.endpoint, timeoutMs: limit });
      if (signal?.aborted) throw e;
      const err = describeModelError(e, this.context());
      // A list too large to read is the endpoint misbehaving, not a server without /models.
      if ((err.kind === 'model_not_found' || err.kind === 'bad_response') && !(e instanceof ReplyTooLarge)) {
        if (!this.modelName) throw new ModelError(`${this.endpoint} does not list its models; name one (setting gog.model, CLI --model)`, 'model_not_found');
        return { model: this.modelName, served: [] };
      }
      throw err;
    } finally {
      deadline.dispose();
    }
    if (!this.modelName) {
      if (!served.length) throw new ModelError(`${this.endpoint} serves no models`, 'model_not_found');
      this.modelName = served[0]!;
    } else if (served.length && !served.includes(this.modelName)) {
      throw new ModelError(`the model endpoint ${this.endpoint} does not serve model "${this.modelName}"; it serves: ${served.join(', ')}`, 'model_not_found');
    }
    return { model: this.modelName, served };
  }

  async complete(request: ModelRequest, options: { signal: AbortSignal; onDelta?: (text: string) => void }): Promise<ModelReply> {
    if (!this.modelName) await this.preflight(options.signal);
    // The request's time limit starts once it has a slot: waiting for one is not the endpoint's time.
    const release = await this.slots?.acquire(options.signal);
    const deadline = new Deadline(options.signal, this.settings.timeoutMs);
    const notices: string[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        const acc = new ReplyAccumulator(this.settings.maxReplyChars);
        const onDelta = options.onDelta;
        try {
          const reply = this.redactor.value(await this.attempt(request, deadline, acc, onDelta && ((text) => onDelta(this.redactor.text(text)))));
          if (reply.cut) notices.push(`${reply.cut.message} (setting gog.maxReplyChars, CLI --max-reply-chars); the rest was not read`);
          if (notices.length) reply.notices = notices;
          return reply;
        } catch (e) {
          const partial = acc.received ? this.redactor.value({ ...acc.reply(), finishReason: null }) : undefined;
          if (deadline.over) throw withPartial(timeoutError(this.context()), partial, 'timeout');
          if (options.signal.aborted) throw withPartial(e instanceof Error ? e : new Error(String(e)), partial, 'error');
          const midStream = e instanceof StreamCut;
          const err = describeModelError(midStream ? e.cause : e, this.context(countImages(request.messages)));
          if (midStream && attempt < STREAM_RETRIES) {
            notices.push(`the reply stream broke after ${e.received} characters (${err.message}); the turn was asked again`);
            continue;
          }
          throw withPartial(err, partial, 'error');
        }
      }
    } finally {
      deadline.dispose();
      release?.();
    }
  }

  /** The request body as bytes, the SDK sends them as they are (and can still retry them). */
  private body(request: ModelRequest, stream: boolean): Buffer {
    const params: Record<string, unknown> = {
      model: this.modelName,
      temperature: this.settings.temperature,
      max_tokens: this.settings.maxTokens,
      ...(request.tools ? { tools: request.tools } : {}),
      ...(request.toolChoice ? { tool_choice: request.toolChoice } : {}),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    // The shared encoder's buffer is a view another request in flight may still be sending:
    // a second concurrent request encodes into a buffer of its own.
    return this.inFlight > 1 ? new ChatBodyEncoder().encode(params, request.messages) : this.bodies.encode(params, request.messages);
  }

  /** One request: the SDK sends it (with its retries) and hands back the raw response, read here. */
  private async attempt(request: ModelRequest, deadline: Deadline, acc: ReplyAccumulator, onDelta?: (text: string) => void): Promise<ModelReply> {
    const stream = this.settings.stream;
    // A child per request: the SDK never removes the listener it adds (see Deadline).
    const child = new Deadline(deadline.signal, deadline.remaining());
    this.inFlight++;
    try {
      const response = await this.client
        .post('/chat/completions', {
          body: this.body(request, stream),
          headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream, application/json' : 'application/json' },
          stream,
          signal: child.signal,
          timeout: deadline.remaining(),
        })
        .asResponse();
      return await readReply(response, acc, { maxChars: this.settings.maxReplyChars, ...(onDelta ? { onDelta } : {}) });
    } finally {
      this.inFlight--;
      child.dispose();
    }
  }
}

function withPartial<E extends Error>(error: E, partial: ModelReply | undefined, reason: 'timeout' | 'error'): E {
  if (partial) (error as E & { partial?: ModelReply }).partial = { ...partial, cut: { reason, message: error.message.split('\n')[0]! } };
  return error;
}
