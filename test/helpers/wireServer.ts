// An HTTP server on 127.0.0.1 whose chat-completions replies a test writes by hand, for
// wire behaviour the replay server does not model: a stream that trickles, an HTML page
// with status 200, an endless reply, a server that echoes the URL it was asked. /models
// lists one model; every request is recorded (method, url, body).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WireRequest {
  method: string;
  url: string;
  body: string;
}

export type ChatHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string, n: number) => void;

export interface WireServer {
  url: string;
  requests: WireRequest[];
  close(): Promise<void>;
}

export async function startWireServer(chat: ChatHandler, model = 'wire-model'): Promise<WireServer> {
  const requests: WireRequest[] = [];
  let chats = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      if ((req.url ?? '').split('?')[0]!.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model' }] }));
        return;
      }
      chat(req, res, body, ++chats);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One SSE chunk of a streamed chat completion. */
export function sseChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'wire-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** A whole (non-streamed) chat completion. */
export function completion(content: string): string {
  return JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'wire-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
}
