// One-line, secret-free descriptions of what went wrong talking to the model endpoint.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import type { ModelReply } from '../core/ports';
import { redact } from '../core/redact';
import { NotAnOpenAIReply, ReplyError, ReplyTooLarge } from './replyReader';

type ModelErrorKind = 'unreachable' | 'timeout' | 'auth' | 'model_not_found' | 'too_many_images' | 'rate_limited' | 'server' | 'bad_response';

/** The endpoint's failures, not the request's: the same request may get an answer later. */
const ENDPOINT_FAILURES: ReadonlySet<ModelErrorKind> = new Set(['unreachable', 'timeout', 'auth', 'model_not_found', 'rate_limited', 'server']);

export class ModelError extends Error {
  /** What arrived of the reply before the turn failed, if anything (recorded, never lost). */
  partial?: ModelReply;
  /**
   * The endpoint failed (after the client's own retries), not this request: unreachable,
   * timed out, rate limited, a 5xx, the key or the model refused. A benchmark runs such a
   * sample again on resume; a request refused as it stands (a 400, too many images) is final.
   */
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    retryable?: boolean,
  ) {
    super(message);
    this.name = 'ModelError';
    this.retryable = retryable ?? ENDPOINT_FAILURES.has(kind);
  }
}

export interface ErrorContext {
  /** Endpoint as shown to users (credentials and query string removed). */
  endpoint: string;
  model: string;
  /** The API key and the endpoint's query values: never repeated, however a server echoes them. */
  secrets: readonly (string | undefined)[];
  timeoutMs: number;
  imagesSent?: number;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}

function serverMessage(e: { error?: unknown; message: string }): string {
  const body: unknown = e.error;
  const inner = body !== null && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  const msg = (typeof inner === 'string' ? inner : e.message).replace(/\s+/g, ' ').trim();
  // A proxy's error page can be long: the start says what happened.
  return msg.length > MAX_SERVER_TEXT ? `${msg.slice(0, MAX_SERVER_TEXT)}…` : msg;
}

const MAX_SERVER_TEXT = 400;

const IMAGE_LIMIT = /at most \d+ image|limit_mm_per_prompt|limit-mm-per-prompt|too many images/i;

/** The most specific reason in an error's cause chain: a system error code if there is one. */
function rootCause(e: Error): string {
  let message = e.message;
  for (let c: unknown = e.cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code) return code;
    message = c.message || message;
  }
  return message;
}

export function describeModelError(e: unknown, ctx: ErrorContext): ModelError {
  const clean = (m: string) => redact(m, ctx.secrets);
  if (e instanceof ModelError) return e;
  if (e instanceof APIConnectionTimeoutError) return timeoutError(ctx);
  if (e instanceof NotAnOpenAIReply) {
    const what = e.what === 'html' ? 'an HTML page' : `${e.contentType || 'a body without a content type'}`;
    return new ModelError(
      clean(
        `the model endpoint ${ctx.endpoint} answered ${e.status} with ${what}, not an OpenAI-compatible reply (is the URL the API's base, usually ending in /v1?); it began: "${e.firstBytes}"`,
      ),
      'bad_response',
      // A proxy's own error page (502, 503, 504) in front of a server that is down or busy.
      e.status >= 500,
    );
  }
  if (e instanceof ReplyTooLarge) {
    return new ModelError(`the model endpoint ${ctx.endpoint} sent ${e.message}; it was not kept${e.hint ? ` (${e.hint})` : ''}`, 'bad_response');
  }
  if (e instanceof ReplyError) {
    const said = e.fromServer
      ? `the model endpoint ${ctx.endpoint} answered with an error: ${e.message}`
      : `bad response from the model endpoint ${ctx.endpoint}: ${e.message}`;
    return new ModelError(clean(said), 'bad_response');
  }
  if (e instanceof APIConnectionError) {
    const cause = rootCause(e);
    return new ModelError(clean(`cannot reach the model endpoint ${ctx.endpoint} (${cause}); is the server running?`), 'unreachable');
  }
  if (e instanceof AuthenticationError || e instanceof PermissionDeniedError) {
    return new ModelError(
      `the model endpoint ${ctx.endpoint} refused the API key (${e.status}); set it with "Glance-or-Gaze: Set API Key" or OPENAI_API_KEY`,
      'auth',
    );
  }
  if (e instanceof NotFoundError) {
    return new ModelError(clean(`the model endpoint ${ctx.endpoint} does not serve model "${ctx.model}" (404: ${serverMessage(e)})`), 'model_not_found');
  }
  if (e instanceof RateLimitError) {
    return new ModelError(clean(`the model endpoint ${ctx.endpoint} kept rate-limiting (429) after retries: ${serverMessage(e)}`), 'rate_limited');
  }
  if (e instanceof APIError && !(e instanceof APIUserAbortError)) {
    const msg = serverMessage(e);
    if (IMAGE_LIMIT.test(msg)) {
      return new ModelError(
        clean(
          `the endpoint accepts fewer images per prompt than this run sends${ctx.imagesSent ? ` (${ctx.imagesSent})` : ''}: ` +
            `start vLLM with --limit-mm-per-prompt '{"image":16}' (older vLLM: image=16), or turn evidence images off ` +
            `(setting gog.evidenceImages, CLI --no-evidence-images). Server said: ${msg}`,
        ),
        'too_many_images',
      );
    }
    const status = e.status ? `${e.status}` : 'error';
    return new ModelError(clean(`the model endpoint ${ctx.endpoint} answered ${status}: ${msg}`), e.status && e.status >= 500 ? 'server' : 'bad_response');
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ModelError(clean(`bad response from the model endpoint ${ctx.endpoint}: ${message.split('\n')[0]}`), 'bad_response');
}

/** The turn's time limit ran out; the figure is the limit for the whole turn, retries included. */
export function timeoutError(ctx: Pick<ErrorContext, 'endpoint' | 'timeoutMs'>): ModelError {
  return new ModelError(
    `the model endpoint ${ctx.endpoint} did not finish its reply within ${seconds(ctx.timeoutMs)}, the time limit for one model turn (retries included; setting gog.timeoutSeconds, CLI --timeout)`,
    'timeout',
  );
}
