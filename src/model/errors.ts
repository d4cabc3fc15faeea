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

export class ModelError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'auth' | 'model_not_found' | 'too_many_images' | 'rate_limited' | 'server' | 'bad_response',
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ErrorContext {
  /** Endpoint as shown to users (credentials removed). */
  endpoint: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  imagesSent?: number;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}

/** Removes every occurrence of the key, however the server echoed it. */
export function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted]');
}

function serverMessage(e: { error?: unknown; message: string }): string {
  const body: unknown = e.error;
  const inner = body !== null && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  const msg = typeof inner === 'string' ? inner : e.message;
  return msg.replace(/\s+/g, ' ').trim();
}

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
  const clean = (m: string) => redact(m, ctx.apiKey);
  if (e instanceof ModelError) return e;
  if (e instanceof APIConnectionTimeoutError) {
    return new ModelError(`the model endpoint ${ctx.endpoint} did not answer within ${seconds(ctx.timeoutMs)} (after retries)`, 'timeout');
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

/** The endpoint URL without credentials or query string: safe for records and logs. */
export function publicEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}
