// An endpoint in front of another on 127.0.0.1 that answers some chat requests itself with
// an HTTP error, as an overloaded server does (503 with an OpenAI-style error body), and
// passes every other request through untouched, streamed replies included. Which requests
// fail is decided per request and can change while it runs (the server recovers). Requests
// can also be held back (`hold`) until the test lets them through: a run kept going.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface GateEndpoint {
  url: string;
  /** Chat requests refused so far. */
  refused: number;
  /** Decides, from a chat request's body, whether it is refused; swap it to recover. */
  refuse: (body: string) => boolean;
  /** Decides, from a chat request's body, whether it waits (checked every 100 ms); swap it to let them through. */
  hold: (body: string) => boolean;
  close(): Promise<void>;
}

export async function startGateEndpoint(target: string, refuse: (body: string) => boolean, status = 503): Promise<GateEndpoint> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const gate: GateEndpoint = { url: '', refused: 0, refuse, hold: () => false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const answer = async () => {
      const body = Buffer.concat(chunks);
      const chat = (req.url ?? '').includes('/chat/completions');
      const gone = () => res.destroyed || req.socket.destroyed;
      while (chat && gate.hold(body.toString('utf8')) && !gone()) await new Promise((r) => setTimeout(r, 100));
      if (gone()) return;
      if (chat && gate.refuse(body.toString('utf8'))) {
        gate.refused++;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'the server is overloaded', type: 'server_error' } }));
        return;
      }
      const path = to.pathname.replace(/\/v1\/?$/, '') + (req.url ?? '/');
      const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    };
    req.on('end', () => void answer());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  gate.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return gate;
}
