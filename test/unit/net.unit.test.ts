// Requests to the web, against servers on 127.0.0.1: limits on time, bytes and redirects,
// credentials kept from other hosts, private addresses refused for URLs the web supplied,
// retries that honour Retry-After, thumbnails re-encoded.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { boundedFetch, FetchError, isPrivateAddress } from '../../src/search/net/boundedFetch';
import { retryAfterMs, withRetries } from '../../src/search/net/retry';
import { thumbnailFetcher } from '../../src/search/net/thumbnails';
import { photo } from '../helpers/fixtures';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function rejectsWith(p: Promise<unknown>, reason: FetchError['reason']): Promise<FetchError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => ((caught = e), true));
  assert.ok(caught instanceof FetchError, String(caught));
  assert.equal(caught.reason, reason, caught.message);
  return caught;
}

describe('requests to the web', () => {
  let server: { url: string; close: () => Promise<void> };
  const seen: { url: string; auth?: string }[] = [];
  let calls = 0;
  before(async () => {
    const png = readFileSync(photo('coffee.png'));
    server = await serve((req, res) => {
      seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      const u = new URL(req.url ?? '/', 'http://x');
      switch (u.pathname) {
        case '/big':
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          return res.end(Buffer.alloc(2 * 1024 * 1024));
        case '/slow':
          res.writeHead(200);
          res.write('a');
          return; // never ends
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          return res.end();
        case '/elsewhere':
          res.writeHead(302, { location: `http://localhost:${u.searchParams.get('port')}/landing` });
          return res.end();
        case '/png':
          res.writeHead(200, { 'content-type': 'image/png' });
          return res.end(png);
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>not an image</html>');
        case '/busy': {
          calls++;
          if (calls % 2 === 1) {
            res.writeHead(429, { 'retry-after': '1' });
            return res.end('slow down');
          }
          res.writeHead(200);
          return res.end('ok');
        }
        default:
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('hello');
      }
    });
  });
  after(() => server.close());

  it('reads a body within its limits, and refuses one over the byte limit', async () => {
    const ok = await boundedFetch(`${server.url}/`, { timeoutMs: 5000, maxBytes: 100 });
    assert.equal(ok.body.toString(), 'hello');
    await rejectsWith(boundedFetch(`${server.url}/big`, { timeoutMs: 5000, maxBytes: 1024 * 1024 }), 'too_large');
  });

  it('ends a response that never finishes at the time limit', async () => {
    const started = Date.now();
    await rejectsWith(boundedFetch(`${server.url}/slow`, { timeoutMs: 400, maxBytes: 1000 }), 'timeout');
    assert.ok(Date.now() - started < 2000);
  });

  it('follows redirects up to the cap, and drops credentials when one leads to another host', async () => {
    await rejectsWith(boundedFetch(`${server.url}/loop`, { timeoutMs: 5000, maxBytes: 1000, maxRedirects: 3 }), 'redirects');
    seen.length = 0;
    const port = new URL(server.url).port;
    const res = await boundedFetch(`${server.url}/elsewhere?port=${port}`, { timeoutMs: 5000, maxBytes: 1000, headers: { authorization: 'Bearer secret-k' } });
    assert.equal(res.status, 200);
    assert.equal(seen[0]!.auth, 'Bearer secret-k', 'the first host gets the key');
    assert.equal(seen[1]!.auth, undefined, 'localhost is another origin: no key');
  });

  it('refuses loopback and private addresses for URLs the web supplied, by IP and by name', async () => {
    await rejectsWith(boundedFetch(`${server.url}/`, { timeoutMs: 2000, maxBytes: 1000, publicOnly: true }), 'refused_address');
    const port = new URL(server.url).port;
    await rejectsWith(boundedFetch(`http://localhost:${port}/`, { timeoutMs: 2000, maxBytes: 1000, publicOnly: true }), 'refused_address');
    await rejectsWith(boundedFetch('file:///etc/passwd', { timeoutMs: 2000, maxBytes: 1000 }), 'bad_url');
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
      '0.0.0.0',
    ])
      assert.ok(isPrivateAddress(a), a);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '172.32.0.1']) assert.ok(!isPrivateAddress(a), a);
  });

  it('retries a 429 after the Retry-After the service asked for', async () => {
    calls = 0;
    const started = Date.now();
    const res = await withRetries(() => boundedFetch(`${server.url}/busy`, { timeoutMs: 5000, maxBytes: 1000 }), { retries: 2, baseMs: 10 });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 950, 'waited the second it was asked to');
    calls = 0;
    const gaveUp = await withRetries(() => boundedFetch(`${server.url}/busy`, { timeoutMs: 5000, maxBytes: 1000 }), { retries: 2, baseMs: 10, maxWaitMs: 500 });
    assert.equal(gaveUp.status, 429, 'a wait longer than allowed is not made: the 429 is the answer');
    assert.equal(retryAfterMs('120'), 120_000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  it('downloads thumbnails in parallel and re-encodes them; what is not an image is left out', async () => {
    const fetcher = thumbnailFetcher({ allowPrivate: true, maxSide: 64 });
    const got = await fetcher.fetchAll(
      [`${server.url}/png`, `${server.url}/html`, undefined, `${server.url}/big`, `${server.url}/png`],
      new AbortController().signal,
    );
    assert.equal(got.length, 5);
    for (const i of [0, 4]) {
      assert.ok(got[i], `thumbnail ${i}`);
      assert.equal(got[i].mime, 'image/jpeg');
      const meta = await sharp(got[i].data).metadata();
      assert.equal(meta.format, 'jpeg');
      assert.ok(Math.max(meta.width, meta.height) <= 64);
    }
    assert.deepEqual([got[1], got[2], got[3]], [undefined, undefined, undefined]);
    const publicOnly = await thumbnailFetcher().fetchAll([`${server.url}/png`], new AbortController().signal);
    assert.deepEqual(publicOnly, [undefined], 'a thumbnail URL on this machine is not fetched unless allowed');
  });
});
