// The model endpoint: any OpenAI-compatible chat-completions server (vLLM, SGLang,
// Ollama, LM Studio, hosted APIs) through the `openai` SDK. The SDK retries 408/409/429,
// 5xx and connection errors with backoff; this module adds the streaming, the preflight
// and the one-line errors.
import OpenAI, { APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Stream } from 'openai/streaming';
import { countImages, type ToolCall } from '../core/chat';
import type { ModelPort, ModelReply, ModelRequest } from '../core/ports';
import { ChatBodyEncoder } from './chatBody';
import { describeModelError, ModelError, publicEndpoint, seconds } from './errors';
import { httpFetch } from './httpFetch';

export interface ModelSettings {
  /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 */
  endpoint: string;
  /** Model name; empty means "the first model the endpoint lists". */
  model: string;
  apiKey?: string;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  /** SDK retries on 429/5xx/connection errors. */
  maxRetries: number;
  stream: boolean;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8000/v1';

export const DEFAULT_MODEL_SETTINGS: Omit<ModelSettings, 'endpoint' | 'model'> = {
  temperature: 0,
  maxTokens: 2048,
  timeoutMs: 120_000,
  maxRetries: 2,
  stream: true,
};

/** Stream cuts the SDK cannot retry (the response had started): retried here, whole turn. */
const STREAM_RETRIES = 1;

/**
 * A per-request signal that follows `parent`. The SDK adds an abort listener to the signal
 * it is given and never removes it, so handing it the run's signal directly would pile up
 * one listener per request over a long run.
 */
function childSignal(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}

type Usage = { prompt: number; completion: number };

export class ModelClient implements ModelPort {
  private readonly client: OpenAI;
  private readonly bodies = new ChatBodyEncoder();
  /** Requests under way; the encoder's body is a view that the next request rewrites. */
  private inFlight = 0;
  private modelName: string;

  constructor(private readonly settings: ModelSettings) {
    this.client = new OpenAI({
      baseURL: settings.endpoint,
      // vLLM and SGLang accept any key unless started with --api-key; the SDK needs a non-empty one.
      apiKey: settings.apiKey || 'EMPTY',
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      // Failures reach the user through our one-line errors; the SDK's own logging could
      // print request bodies or raw server text, so it stays off.
      logLevel: 'off',
      fetch: httpFetch,
    });
    this.modelName = settings.model;
  }

  get model(): string {
    return this.modelName;
  }

  get endpoint(): string {
    return publicEndpoint(this.settings.endpoint);
  }

  private context(imagesSent?: number) {
    return {
      endpoint: this.endpoint,
      model: this.modelName,
      ...(this.settings.apiKey ? { apiKey: this.settings.apiKey } : {}),
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
    const child = childSignal(signal ?? new AbortController().signal);
    try {
      const page = await this.client.models.list({ signal: child.controller.signal, maxRetries: Math.min(1, this.settings.maxRetries) });
      served = page.data.map((m) => m.id);
    } catch (e) {
      if (e instanceof APIUserAbortError) throw e;
      const err = describeModelError(e, this.context());
      if (err.kind === 'model_not_found' || err.kind === 'bad_response') {
        if (!this.modelName) throw new ModelError(`${this.endpoint} does not list its models; name one (setting gog.model, CLI --model)`, 'model_not_found');
        return { model: this.modelName, served: [] };
      }
      throw err;
    } finally {
      child.dispose();
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
    const notices: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const child = childSignal(options.signal);
      this.inFlight++;
      try {
        const reply = this.settings.stream
          ? await this.streamed(request, child.controller, options.onDelta)
          : await this.whole(request, child.controller.signal);
        if (notices.length) reply.notices = notices;
        return reply;
      } catch (e) {
        if (options.signal.aborted) throw e;
        const midStream = e instanceof StreamCut;
        const err = describeModelError(midStream ? e.cause : e, this.context(countImages(request.messages)));
        if (midStream && attempt < STREAM_RETRIES) {
          notices.push(`the reply stream broke after ${e.received} characters (${err.message}); the turn was asked again`);
          continue;
        }
        throw err;
      } finally {
        this.inFlight--;
        child.dispose();
      }
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
    const body = this.bodies.encode(params, request.messages);
    return this.inFlight > 1 ? Buffer.from(body) : body;
  }

  private post<T>(request: ModelRequest, stream: boolean, signal: AbortSignal): Promise<T> {
    return this.client.post('/chat/completions', {
      body: this.body(request, stream),
      headers: { 'content-type': 'application/json' },
      stream,
      signal,
    }) as unknown as Promise<T>;
  }

  private async whole(request: ModelRequest, signal: AbortSignal): Promise<ModelReply> {
    const completion = await this.post<ChatCompletion>(request, false, signal);
    const choice = completion?.choices?.[0];
    if (!choice) throw new Error('the reply has no choices');
    const message = choice.message as typeof choice.message & { reasoning_content?: string };
    const reply: ModelReply = { text: message.content ?? '', finishReason: choice.finish_reason ?? null };
    if (message.reasoning_content) reply.reasoning = message.reasoning_content;
    const calls = (message.tool_calls ?? [])
      .filter((c) => c.type === 'function')
      .map((c, i) => ({
        id: c.id || `call_${i}`,
        type: 'function' as const,
        function: { name: c.function.name, arguments: c.function.arguments ?? '' },
      }));
    if (calls.length) reply.toolCalls = calls;
    if (completion.usage) reply.usage = { prompt: completion.usage.prompt_tokens, completion: completion.usage.completion_tokens };
    return reply;
  }

  private async streamed(request: ModelRequest, controller: AbortController, onDelta?: (text: string) => void): Promise<ModelReply> {
    const stream = await this.post<Stream<ChatCompletionChunk>>(request, true, controller.signal);
    // The SDK's timeout ends when the headers arrive; a stream that then goes quiet is ended here.
    let stalled = false;
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, this.settings.timeoutMs);
    };
    arm();
    let text = '';
    let reasoning = '';
    let finishReason: string | null = null;
    let usage: Usage | undefined;
    const calls: { id: string; name: string; arguments: string }[] = [];
    try {
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        arm();
        if (chunk.usage) usage = { prompt: chunk.usage.prompt_tokens, completion: chunk.usage.completion_tokens };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
        if (delta?.reasoning_content) reasoning += delta.reasoning_content;
        if (delta?.content) {
          text += delta.content;
          onDelta?.(delta.content);
        }
        for (const tc of delta?.tool_calls ?? []) {
          const slot = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
          if (tc.id) slot.id = tc.id;
          if (tc.function?.name) slot.name += tc.function.name;
          if (tc.function?.arguments) slot.arguments += tc.function.arguments;
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    } catch (e) {
      if (stalled) throw new StreamCut(new Error(`no data for ${seconds(this.settings.timeoutMs)}`), text.length + reasoning.length);
      if (e instanceof APIUserAbortError) throw e;
      throw new StreamCut(e, text.length + reasoning.length);
    } finally {
      clearTimeout(idle);
    }
    // Servers always end a reply with a finish reason; without one the stream was cut short.
    if (finishReason === null) throw new StreamCut(new Error('the stream ended before the reply was finished'), text.length + reasoning.length);
    const reply: ModelReply = { text, finishReason };
    if (reasoning) reply.reasoning = reasoning;
    const toolCalls: ToolCall[] = calls
      .filter(Boolean)
      .map((c, i) => ({ id: c.id || `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    if (toolCalls.length) reply.toolCalls = toolCalls;
    if (usage) reply.usage = usage;
    return reply;
  }
}

/** A stream that failed after it started, which the SDK does not retry. */
class StreamCut extends Error {
  constructor(
    override readonly cause: unknown,
    readonly received: number,
  ) {
    super('stream cut');
  }
}
