// Retries for web services: on 429, 5xx and network failures, with exponential backoff and
// jitter, waiting at least what the service asked for in Retry-After (seconds or an HTTP
// date), but never past the request's own deadline: a wait that would not fit is not made.
import { FetchError, type FetchedResponse } from '../../net/boundedFetch';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First backoff; doubled each time. */
  baseMs?: number;
  /** No single wait is longer than this (a service asking for an hour gets an error instead). */
  maxWaitMs?: number;
  /** Epoch milliseconds after which no new attempt starts. */
  deadline?: number;
  signal?: AbortSignal;
}

/** Retry-After as milliseconds from now, or undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function isRetryable(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FetchError('aborted', 'cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FetchError('aborted', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it returns a response that is not worth retrying, or the retries,
 * the deadline or the longest wait run out; returns the last response (the caller reads its
 * status) or rethrows the last network failure.
 */
export async function withRetries(attempt: () => Promise<FetchedResponse>, policy: RetryPolicy): Promise<FetchedResponse> {
  const base = policy.baseMs ?? 500;
  const maxWait = policy.maxWaitMs ?? 30_000;
  for (let n = 0; ; n++) {
    let res: FetchedResponse | undefined;
    let failure: unknown;
    try {
      res = await attempt();
      if (!isRetryable(res.status)) return res;
    } catch (e) {
      if (!(e instanceof FetchError) || (e.reason !== 'network' && e.reason !== 'timeout')) throw e;
      failure = e;
    }
    const asked = res ? retryAfterMs(res.headers['retry-after']) : undefined;
    const backoff = base * 2 ** n * (0.75 + Math.random() * 0.5);
    const wait = Math.max(asked ?? 0, backoff);
    const fits = policy.deadline === undefined || Date.now() + wait < policy.deadline;
    if (n >= policy.retries || wait > maxWait || !fits) {
      if (res) return res;
      throw failure;
    }
    await sleep(wait, policy.signal);
  }
}
