// Requests to the web, against servers on 127.0.0.1: limits on time, bytes and redirects,
// credentials kept from other hosts, private addresses refused for URLs the web supplied,
// retries that honour Retry-After, thumbnails re-encoded; and the private-address guard over
// every spelling of a private address, directly and behind a redirect.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import type * as net from 'node:net';
import sharp from 'sharp';
import { addressBytes, isPublicAddress, specialRange } from '../../src/net/addresses';
import { boundedFetch, FetchError, type FetchLimits, type Resolver } from '../../src/net/boundedFetch';
import { retryAfterMs, withRetries } from '../../src/search/net/retry';
import { thumbnailFetcher } from '../../src/search/net/thumbnails';
import { PUBLIC, specialSpellings } from '../helpers/addressSpellings';
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

  it('counts the byte limit after decompression: a gzip bomb stops at the cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(256 * 1024 * 1024, 'a'), { level: 9 });
    const gz = await serve((_req, res) => {
      res.on('error', () => undefined);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/html' });
      res.end(bomb);
    });
    try {
      const before = process.cpuUsage();
      await rejectsWith(boundedFetch(`${gz.url}/`, { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024 }), 'too_large');
      const used = process.cpuUsage(before);
      assert.ok((used.user + used.system) / 1e6 < 1, 'stopped inflating at the cap');
    } finally {
      await gz.close();
    }
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
      assert.ok(!isPublicAddress(a), a);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '172.32.0.1']) assert.ok(isPublicAddress(a), a);
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

/** Hosts a socket in these tests may connect to: this machine, or a name the test's own resolver answers. */
const onThisMachine = (host: string) => host === '127.0.0.1' || host === '::ffff:7f00:1' || host === '::ffff:127.0.0.1' || host.endsWith('.test');

/**
 * Client sockets made while `work` runs, seen on node's own diagnostics channel (published
 * before the socket connects). A safety net under the code being tested: should it ever try
 * to connect elsewhere than this machine, the socket is destroyed before it connects, so no
 * packet leaves even when the guard is broken (the attempt is reported).
 */
async function socketsDuring<T>(work: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; sockets: number; outside: string[] }> {
  let sockets = 0;
  const outside: string[] = [];
  const onSocket = (message: unknown) => {
    sockets++;
    const socket = (message as { socket: net.Socket }).socket;
    const connect = socket.connect.bind(socket) as (...args: unknown[]) => net.Socket;
    socket.connect = (...args: unknown[]) => {
      const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
      const host = (first as { host?: string } | undefined)?.host ?? 'localhost';
      if (onThisMachine(host)) return connect(...args);
      outside.push(host);
      process.nextTick(() => socket.destroy(new Error(`the test kept a socket from connecting to ${host}`)));
      return socket;
    };
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    return { result: await work(), error: undefined, sockets, outside };
  } catch (error) {
    return { result: undefined, error, sockets, outside };
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
}

const hostOf = (spelling: string) => new URL(`http://${spelling}/`).hostname.replace(/^\[|\]$/g, '');

describe('the private-address guard: every spelling, decided on the address before connecting', function () {
  this.timeout(120_000);
  const spellings = specialSpellings();

  it(`names a range for each of ${spellings.length} spellings of loopback, private, link-local, metadata, CGNAT, documentation and multicast addresses, and none for public ones`, () => {
    assert.ok(spellings.length >= 200);
    const missed = spellings.filter((s) => isPublicAddress(hostOf(s.host))).map((s) => `${s.host} (${s.means}) read as ${hostOf(s.host)}`);
    assert.deepEqual(missed, [], 'taken for public addresses');
    const refused = PUBLIC.filter((p) => !isPublicAddress(hostOf(p))).map((p) => `${p}: ${specialRange(hostOf(p))}`);
    assert.deepEqual(refused, [], 'public addresses refused');
    // As the resolver writes them too, and names the range.
    assert.match(specialRange('::ffff:127.0.0.1')!, /^loopback \(127\.0\.0\.0\/8\), as IPv4-mapped IPv6 127\.0\.0\.1$/);
    assert.match(specialRange('fe80::1%eth0')!, /^link-local/);
    assert.match(specialRange('64:ff9b::a9fe:a9fe')!, /^link-local \(169\.254\.0\.0\/16, cloud metadata\), as NAT64/);
    assert.equal(specialRange('fd00:ec2::254'), 'unique local (fc00::/7)');
    for (const junk of ['', 'localhost', '127.0.0.1.evil.example', '::ffff:127.0.0.1:80', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '01.2.3.4', '256.1.1.1'])
      assert.equal(specialRange(junk), 'not an IP address', junk);
  });

  it('parses IPv6 into the same 16 bytes however it is written (1,000 random addresses, four spellings each)', () => {
    for (let i = 0; i < 1000; i++) {
      const bytes = randomBytes(16);
      const groups = Array.from({ length: 8 }, (_, g) => bytes.readUInt16BE(2 * g));
      if (i % 3 === 0) groups.fill(0, 2, 2 + (i % 6)); // runs of zeros, so "::" is used
      const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
      const canonical = hostOf(`[${full}]`);
      const dotted = `${groups
        .slice(0, 6)
        .map((g) => g.toString(16))
        .join(':')}:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
      const expected = Buffer.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
      for (const form of [full, full.toUpperCase(), canonical, dotted]) assert.deepEqual(Buffer.from(addressBytes(form)!), expected, form);
    }
  });

  describe('through boundedFetch with publicOnly: directly and behind a 302, the canary on 127.0.0.1 hears nothing', () => {
    let canary: { url: string; close: () => Promise<void> };
    let redirector: { url: string; close: () => Promise<void> };
    let canaryHits = 0;
    let canaryPort = 0;
    let firstHopPort = 0;
    const asked: string[] = [];
    // The first hop (this machine) is allowed; everything else is the product's decision.
    const policy = (address: string, port: number) => {
      asked.push(address);
      return port === firstHopPort || isPublicAddress(address);
    };
    before(async () => {
      canary = await serve((_req, res) => {
        canaryHits++;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('the canary was reached');
      });
      canaryPort = Number(new URL(canary.url).port);
      redirector = await serve((req, res) => {
        // A header is ASCII: a full-width spelling goes percent-encoded, as a server would send it.
        res.writeHead(302, { location: (new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/').replace(/[^\x20-\x7e]/g, encodeURIComponent) });
        res.end();
      });
      firstHopPort = Number(new URL(redirector.url).port);
    });
    after(async () => {
      await canary.close();
      await redirector.close();
    });

    const limits = (): FetchLimits => ({ timeoutMs: 1000, maxBytes: 1000, maxRedirects: 3, publicOnly: true, addressPolicy: policy });

    it('refuses each spelling before making a socket, and the same spelling as a redirect target after only the first hop', async () => {
      const failures: string[] = [];
      for (const s of spellings) {
        const target = `http://${s.host}:${canaryPort}/secret`;
        const address = hostOf(s.host);
        for (const via of ['direct', 'redirect'] as const) {
          asked.length = 0;
          const url = via === 'direct' ? target : `${redirector.url}/go?to=${encodeURIComponent(target)}`;
          const { error, sockets, outside } = await socketsDuring(() => boundedFetch(url, limits()));
          const reason = error instanceof FetchError ? error.reason : String(error);
          const expectedSockets = via === 'direct' ? 0 : 1;
          if (reason !== 'refused_address' || sockets !== expectedSockets || asked.at(-1) !== address)
            failures.push(
              `${via} ${s.host} (${s.means}): ${reason}, ${sockets} sockets${outside.length ? ` (one to ${outside.join(', ')})` : ''}, policy asked about ${asked.join(', ') || 'nothing'}`,
            );
        }
      }
      // Those the guard let through first: what reached a socket, then what was refused for the wrong reason.
      const worst = [...failures.filter((f) => !f.includes('refused_address')), ...failures.filter((f) => f.includes('refused_address'))];
      assert.deepEqual(worst.slice(0, 20), [], `${failures.length} of ${spellings.length * 2} not refused before connecting`);
      assert.equal(canaryHits, 0, 'the canary was reached');
    });

    it('says which address was refused and what allows it, in one line', async () => {
      const e = await rejectsWith(boundedFetch(`http://[::ffff:127.0.0.1]:${canaryPort}/`, limits()), 'refused_address');
      const metadata = await socketsDuring(() => boundedFetch(`http://[::ffff:169.254.169.254]/`, { ...limits(), refusalHint: 'a dataset may not' }));
      assert.deepEqual([metadata.sockets, metadata.outside], [0, []], 'no socket for the metadata address');
      assert.equal(
        e.message,
        `[::ffff:7f00:1]:${canaryPort} is a private or local address (loopback (127.0.0.0/8), as IPv4-mapped IPv6 127.0.0.1); links from search results may not point there unless allowed (setting gog.search.allowPrivateUrls, CLI --allow-private-urls)`,
      );
      const dataset = metadata.error;
      assert.ok(dataset instanceof FetchError && dataset.reason === 'refused_address', String(dataset));
      assert.match(dataset.message, /\(link-local \(169\.254\.0\.0\/16, cloud metadata\), as IPv4-mapped IPv6 169\.254\.169\.254\); a dataset may not$/);
    });

    it('a name is resolved once per hop: refused if any of its addresses is private, and connected only to the addresses checked', async () => {
      const lookups: string[] = [];
      const resolver =
        (answers: Record<string, { address: string; family: number }[]>): Resolver =>
        async (name) => {
          lookups.push(name);
          return answers[name] ?? [];
        };
      // Public and private together: refused, no socket.
      const mixed = await socketsDuring(() =>
        boundedFetch(`http://mixed.test:${canaryPort}/`, {
          ...limits(),
          resolver: resolver({
            'mixed.test': [
              { address: '8.8.8.8', family: 4 },
              { address: '::ffff:127.0.0.1', family: 6 },
            ],
          }),
        }),
      );
      assert.ok(mixed.error instanceof FetchError && mixed.error.reason === 'refused_address', String(mixed.error));
      assert.match(mixed.error.message, /^mixed\.test:\d+ resolves to ::ffff:127\.0\.0\.1, a private or local address \(loopback/);
      assert.equal(mixed.sockets, 0);
      // A name that only this resolver knows: the request reaches the first hop through the
      // checked address alone (no second lookup could have found it), then the redirect to a
      // name that resolves privately is looked up afresh and refused.
      lookups.length = 0;
      const answers = { 'first.test': [{ address: '127.0.0.1', family: 4 }], 'rebound.test': [{ address: '10.0.0.7', family: 4 }] };
      const hop = await socketsDuring(() =>
        boundedFetch(`http://first.test:${firstHopPort}/go?to=${encodeURIComponent(`http://rebound.test:${canaryPort}/`)}`, {
          ...limits(),
          resolver: resolver(answers),
        }),
      );
      assert.ok(hop.error instanceof FetchError && hop.error.reason === 'refused_address', String(hop.error));
      assert.deepEqual(lookups, ['first.test', 'rebound.test']);
      assert.equal(hop.sockets, 1);
      assert.equal(canaryHits, 0);
    });
  });
});
