// An HTTP server on 127.0.0.1 that takes uploads by PUT and serves them by GET, for the
// HTTP PUT uploader and for tests of image services that read an uploaded image by URL
// (a fake Google Lens fetches what the agent uploaded). PUT <url>/upload/<name> stores the
// body; GET <url>/public/<name> serves it with the content type it came with. Every
// request is recorded; failures can be scripted for the next PUTs.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StoredUpload {
  body: Buffer;
  contentType: string;
}

export interface UploadRequest {
  method: string;
  /** The path asked for, query string included. */
  url: string;
  contentType?: string;
  authorization?: string;
  bytes: number;
  status: number;
}

export interface UploadServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Where to PUT: `${url}/upload` (the uploader adds `/<name>`). */
  uploadUrl: string;
  /** Where uploads are read: `${url}/public`. */
  publicUrl: string;
  /** Uploads by name. */
  objects: Map<string, StoredUpload>;
  requests: UploadRequest[];
  /** The next `times` PUTs answer `status` (with `headers`) and store nothing. */
  failNext(status: number, times?: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export interface UploadServerOptions {
  /** PUTs must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest body taken (default 20 MB); more is a 413. */
  maxBytes?: number;
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

export async function startUploadServer(options: UploadServerOptions = {}): Promise<UploadServer> {
  const objects = new Map<string, StoredUpload>();
  const requests: UploadRequest[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= maxBytes) chunks.push(c);
    });
    req.on('end', () => {
      const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          bytes,
          status,
        });
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(body);
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const [, area, name = ''] = /^\/(upload|public)\/(.*)$/.exec(path) ?? [];
      if (!area || !NAME.test(name)) return answer(404, 'no such place');
      if (req.method === 'PUT' && area === 'upload') {
        const failure = failures.shift();
        if (failure) return answer(failure.status, `scripted failure ${failure.status}`, failure.headers);
        if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return answer(401, 'a token is needed');
        if (bytes > maxBytes) return answer(413, 'too large');
        objects.set(name, { body: Buffer.concat(chunks), contentType: req.headers['content-type'] ?? 'application/octet-stream' });
        return answer(201, 'stored');
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && area === 'public') {
        const object = objects.get(name);
        if (!object) return answer(404, 'not uploaded');
        requests.push({ method: req.method, url: req.url ?? '', bytes, status: 200 });
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length });
        return res.end(req.method === 'GET' ? object.body : undefined);
      }
      answer(405, 'PUT to /upload/<name>, GET from /public/<name>');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    uploadUrl: `${url}/upload`,
    publicUrl: `${url}/public`,
    objects,
    requests,
    failNext(status, times = 1, headers = {}) {
      for (let i = 0; i < times; i++) failures.push({ status, headers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
