// A stand-in for Jina Reader on 127.0.0.1, answering as its documentation says: GET
// /<absolute page URL>, an optional `Authorization: Bearer <key>`, and a text/plain answer in
// Reader's template (Title, URL Source, an optional Warning when the target failed, then
// "Markdown Content:"). Errors come in the JSON envelope seen from the real service
// ({data: null, code, name, status, message, readableMessage}). Pages on the host
// `slow.test` never answer; scripted answers can be queued ahead of the normal ones.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakePage {
  title: string;
  markdown: string;
  /** The target's own failure: Reader answers 200 with a Warning line. */
  targetStatus?: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeJina {
  url: string;
  /** Page URL (as Reader would read it) → content. */
  pages: Map<string, FakePage>;
  requests: { url: string; authorization?: string; accept?: string }[];
  /** Answers for the next requests, in order, before pages are looked up. */
  queue: ScriptedAnswer[];
  close(): Promise<void>;
}

export function jinaError(code: number, name: string, message: string): string {
  return JSON.stringify({ data: null, code, name, status: code * 100 + 3, message, readableMessage: `${name}: ${message}` });
}

export async function startFakeJina(options: { key?: string } = {}): Promise<FakeJina> {
  const pages = new Map<string, FakePage>();
  const requests: FakeJina['requests'] = [];
  const queue: ScriptedAnswer[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const raw = (req.url ?? '/').slice(1);
    requests.push({
      url: raw,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
    });
    const scripted = queue.shift();
    if (scripted) {
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      return res.end(scripted.body ?? '');
    }
    const json = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (options.key && req.headers.authorization !== `Bearer ${options.key}`)
      return json(401, jinaError(401, 'AuthenticationFailedError', 'Invalid API key, please get a new one from https://jina.ai'));
    let target: URL;
    try {
      target = new URL(raw);
    } catch {
      return json(400, jinaError(400, 'ParamValidationError', 'Invalid URL'));
    }
    if (target.hostname === 'slow.test') return; // never answers
    const page = pages.get(target.href);
    if (!page) return json(422, jinaError(422, 'AssertionFailureError', `Failed to goto ${target.href}: net::ERR_NAME_NOT_RESOLVED`));
    const lines = [`Title: ${page.title}`, '', `URL Source: ${target.href}`, ''];
    if (page.targetStatus) lines.push(`Warning: Target URL returned error ${page.targetStatus}: Not Found`, '');
    lines.push('Markdown Content:', page.markdown);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-usage-tokens': '42' });
    res.end(lines.join('\n'));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages,
    requests,
    queue,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
