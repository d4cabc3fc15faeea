// A fetch for plain-http endpoints (a local vLLM, SGLang or Ollama), given to the openai
// SDK through its `fetch` option. Node's built-in fetch copies every request body before
// sending it; late in a long run that is megabytes per turn, and the garbage collection it
// causes was most of the local overhead. node:http writes the body as it is, over a
// keep-alive connection. https endpoints (hosted APIs, where the network dominates) keep
// the built-in fetch.
import * as http from 'node:http';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';

const agent = new http.Agent({ keepAlive: true });

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError' ? reason : new DOMException('This operation was aborted', 'AbortError');
}

function decoder(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

function decoded(res: http.IncomingMessage): Readable {
  // We do not ask for compression, but a proxy in between may still apply it. A pipeline, so
  // a reader that stops early (a cap reached) ends the response and its connection too.
  const inflate = decoder(res.headers['content-encoding']);
  return inflate ? pipeline(res, inflate, () => undefined) : res;
}

function requestBody(body: RequestInit['body']): Uint8Array | string | undefined | null {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return null; // streams, forms, blobs: not ours to handle
}

export const httpFetch: typeof fetch = (input, init = {}) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const body = requestBody(init.body);
  if (url.protocol !== 'http:' || body === null || input instanceof Request) return fetch(input, init);
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) value.forEach((v) => responseHeaders.append(key, v));
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || init.method === 'HEAD';
      if (empty) res.resume();
      const stream = empty ? null : (Readable.toWeb(decoded(res)) as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
    });
    const onAbort = () => req.destroy(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    // Shaped like the built-in fetch's failure, so the SDK sees a connection error with its cause.
    req.on('error', (e) => reject(signal?.aborted ? abortError(signal) : new TypeError('fetch failed', { cause: e })));
    req.end(body);
  });
};
