// A tiny S3-compatible object store on 127.0.0.1, path-style (/<bucket>/<key>) like MinIO,
// that takes only presigned requests: it checks every SigV4 query parameter (algorithm,
// credential scope, date, expiry, signed headers) and recomputes the signature itself from
// the AWS specification with node:crypto, independently of the signing library under test.
// A good PUT stores the object; a good GET serves it. Answers use S3's XML error shape.
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
}

export interface S3Request {
  method: string;
  /** The raw path and query string as sent. */
  url: string;
  status: number;
  /** Why it was refused, when it was. */
  refusal?: string;
  contentType?: string;
}

export interface S3Server {
  /** The endpoint: http://127.0.0.1:<port> */
  url: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  requests: S3Request[];
  /** The next `times` requests answer `status` with S3's error shape (503 SlowDown, say). */
  failNext(status: number, times?: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
/** How far a request's date may be from the server's clock (S3 allows 15 minutes). */
const SKEW_MS = 15 * 60 * 1000;

/** RFC 3986 encoding as SigV4 asks: everything but unreserved characters. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Parses `20261125T170450Z`. */
function amzDate(v: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/**
 * Checks a presigned request against the credentials; returns why it fails, or undefined
 * when it is well-formed, current and correctly signed.
 */
export function verifyPresigned(method: string, rawUrl: string, host: string | undefined, creds: S3Credentials, now = Date.now()): string | undefined {
  const [rawPath = '/', rawQuery = ''] = rawUrl.split('?', 2) as [string, string?];
  const pairs = rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return i < 0 ? ([dec(p), ''] as const) : ([dec(p.slice(0, i)), dec(p.slice(i + 1))] as const);
    });
  const q = new Map(pairs);
  for (const name of REQUIRED) if (!q.get(name)) return `missing ${name}`;
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return 'X-Amz-Algorithm is not AWS4-HMAC-SHA256';
  const date = q.get('X-Amz-Date')!;
  const signedAt = amzDate(date);
  if (signedAt === undefined) return 'X-Amz-Date is not yyyymmddThhmmssZ';
  if (Math.abs(now - signedAt) > SKEW_MS) return 'X-Amz-Date is too far from now';
  const expires = q.get('X-Amz-Expires')!;
  if (!/^\d+$/.test(expires) || +expires < 1 || +expires > 604_800) return 'X-Amz-Expires is not 1 to 604800 seconds';
  if (now > signedAt + +expires * 1000) return 'the URL has expired';
  const scope = `${date.slice(0, 8)}/${creds.region}/s3/aws4_request`;
  if (q.get('X-Amz-Credential') !== `${creds.accessKeyId}/${scope}`) return `X-Amz-Credential is not <key id>/${scope}`;
  const signature = q.get('X-Amz-Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'X-Amz-Signature is not 64 hex digits';
  const signedHeaders = q.get('X-Amz-SignedHeaders')!.split(';');
  if (!signedHeaders.includes('host')) return 'X-Amz-SignedHeaders does not include host';
  if (signedHeaders.some((h) => h !== 'host')) return 'only host is expected among the signed headers';
  for (const name of q.keys()) if (/^x-amz-checksum-/i.test(name)) return `${name} in a presigned URL fixes the body's checksum`;

  const canonicalUri = rawPath
    .split('/')
    .map((seg) => uriEncode(decodeURIComponent(seg)))
    .join('/');
  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [method, canonicalUri, canonicalQuery, `host:${host ?? ''}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key = hmac(`AWS4${creds.secretAccessKey}`, date.slice(0, 8));
  for (const part of [creds.region, 's3', 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign).toString('hex');
  return expected === signature ? undefined : 'the signature does not match';
}

function xmlError(code: string, message: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message></Error>`;
}

export async function startS3Server(creds: S3Credentials): Promise<S3Server> {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const requests: S3Request[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const url = req.url ?? '/';
      const record = (status: number, refusal?: string) =>
        requests.push({
          method,
          url,
          status,
          ...(refusal ? { refusal } : {}),
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        });
      const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
        record(status, `${code}: ${message}`);
        res.writeHead(status, { 'content-type': 'application/xml', ...headers });
        res.end(xmlError(code, message));
      };
      const scripted = failures.shift();
      if (scripted) return fail(scripted.status, scripted.status === 503 ? 'SlowDown' : 'InternalError', 'scripted failure', scripted.headers);
      const refusal = verifyPresigned(method, url, req.headers.host, creds);
      if (refusal) return fail(403, refusal === 'the signature does not match' ? 'SignatureDoesNotMatch' : 'AccessDenied', refusal);
      const path = decodeURIComponent(url.split('?')[0]!);
      const [, bucket, key] = /^\/([^/]+)\/(.+)$/.exec(path) ?? [];
      if (bucket !== creds.bucket || !key) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (method === 'PUT') {
        objects.set(key, { body: Buffer.concat(chunks), contentType: req.headers['content-type'] ?? 'binary/octet-stream' });
        record(200);
        res.writeHead(200, { etag: `"${createHash('md5').update(Buffer.concat(chunks)).digest('hex')}"` });
        return res.end();
      }
      if (method === 'GET') {
        const object = objects.get(key);
        if (!object) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
        record(200);
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length });
        return res.end(object.body);
      }
      fail(405, 'MethodNotAllowed', `${method} is not allowed here`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
