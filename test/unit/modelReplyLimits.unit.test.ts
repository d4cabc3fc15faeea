// A hostile (or broken) model endpoint: one SSE line of 20 MB, gzip bombs as a stream, as
// the model list and as an error body. Each ends at once with one line naming the cap, in
// time linear in the bytes read (measured as CPU time, far under what quadratic buffering
// cost), without asking again. Over plain http (node:http) in this process, and over https
// (the built-in fetch) through the built `gog ask`.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ChatMessage } from '../../src/core/chat';
import { ModelClient, type ModelSettings } from '../../src/model/client';
import { ModelError } from '../../src/model/errors';
import { readReply, ReplyAccumulator } from '../../src/model/replyReader';
import { CLI } from '../helpers/cli';
import { photo, ROOT, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

const MODEL = 'wire-model';
const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Question: what is it?' }] }];
const MB = 1024 * 1024;
/** Far under what the quadratic buffering cost (16.5 s for the long line, 57 s for the bomb). */
const CPU_LIMIT_S = 2;

type Body = { type: string; encoding?: string; bytes: Buffer } | { type: string; stream: (res: http.ServerResponse) => void };

/** The start of an SSE event whose content never ends: the rest of the line is `a`s. */
const LINE_START = `data: {"choices":[{"index":0,"delta":{"content":"`;

/** Writes `total` bytes of `a` after the start of an SSE line, as fast as the client reads, until it hangs up. */
function longLine(total: number) {
  return (res: http.ServerResponse) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    res.write(LINE_START);
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

const gzipped = (text: Buffer) => zlib.gzipSync(text, { level: 9 });

interface Server {
  url: string;
  chats: number;
  close(): Promise<void>;
}

/** An OpenAI-compatible server that answers /models and chat requests with the bodies given. */
async function serve(bodies: { models?: Body; chat: Body; chatStatus?: number }, tls?: https.ServerOptions): Promise<Server> {
  const state = { chats: 0 };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const isModels = (req.url ?? '').includes('/models');
      if (!isModels) state.chats++;
      const body: Body = isModels
        ? (bodies.models ?? { type: 'application/json', bytes: Buffer.from(JSON.stringify({ object: 'list', data: [{ id: MODEL }] })) })
        : bodies.chat;
      const status = isModels ? 200 : (bodies.chatStatus ?? 200);
      res.on('error', () => undefined);
      if ('stream' in body) {
        res.writeHead(status, { 'content-type': body.type });
        return body.stream(res);
      }
      res.writeHead(status, {
        'content-type': body.type,
        ...(body.encoding ? { 'content-encoding': body.encoding } : {}),
        'content-length': body.bytes.length,
      });
      res.end(body.bytes);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const scheme = tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get chats() {
      return state.chats;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function settings(url: string, overrides: Partial<ModelSettings> = {}): ModelSettings {
  return {
    endpoint: url,
    model: MODEL,
    temperature: 0,
    maxTokens: 256,
    timeoutMs: 30_000,
    maxRetries: 2,
    stream: true,
    maxReplyChars: 1_000_000,
    ...overrides,
  };
}

/** Runs `work`, which must fail with a one-line ModelError matching `pattern`, and returns the CPU seconds it took. */
async function failsWithin(work: () => Promise<unknown>, pattern: RegExp): Promise<number> {
  const before = process.cpuUsage();
  let caught: unknown;
  await work().catch((e: unknown) => (caught = e));
  const used = process.cpuUsage(before);
  const seconds = (used.user + used.system) / 1e6;
  assert.ok(caught instanceof ModelError, `expected a ModelError, got ${String(caught)}`);
  assert.ok(!caught.message.includes('\n'), caught.message);
  assert.match(caught.message, pattern);
  assert.ok(seconds < CPU_LIMIT_S, `${seconds.toFixed(1)} s of CPU`);
  return seconds;
}

describe('a hostile model endpoint: replies read in linear time, capped as they arrive and after decompression', function () {
  this.timeout(120_000);
  // Made before any measurement: the bombs' own compression is not the client's cost.
  let lineBomb: Buffer;
  let commentBomb: Buffer;
  before(() => {
    lineBomb = gzipped(Buffer.concat([Buffer.from(LINE_START), Buffer.alloc(256 * MB, 'a')]));
    commentBomb = gzipped(Buffer.alloc(100 * MB, ': keep-alive\n'));
  });

  it('one 20 MB SSE line: refused at the 16 MB line cap, asked once', async () => {
    const server = await serve({ chat: { type: 'text/event-stream', stream: longLine(20 * MB) } });
    try {
      const client = new ModelClient(settings(server.url));
      await failsWithin(
        () => client.complete({ messages }, { signal: new AbortController().signal }),
        /sent a stream line larger than 16 MB; it was not kept$/,
      );
      assert.equal(server.chats, 1, 'a reply that is too large is not asked for again');
    } finally {
      await server.close();
    }
  });

  it('a gzip bomb of one endless SSE line (256 MB inflated from 250 KB): refused at the line cap', async () => {
    const server = await serve({ chat: { type: 'text/event-stream', encoding: 'gzip', bytes: lineBomb } });
    try {
      const client = new ModelClient(settings(server.url));
      await failsWithin(
        () => client.complete({ messages }, { signal: new AbortController().signal }),
        /sent a stream line larger than 16 MB; it was not kept$/,
      );
      assert.equal(server.chats, 1);
    } finally {
      await server.close();
    }
  });

  it('a gzip bomb of endless comment lines: refused at the cap on the decompressed reply, which follows --max-reply-chars', async () => {
    const server = await serve({ chat: { type: 'text/event-stream', encoding: 'gzip', bytes: commentBomb } });
    try {
      const client = new ModelClient(settings(server.url));
      await failsWithin(
        () => client.complete({ messages }, { signal: new AbortController().signal }),
        /sent a reply stream larger than 64 MB; it was not kept \(64 bytes for each character of a reply kept: setting gog\.maxReplyChars, CLI --max-reply-chars\)$/,
      );
      assert.equal(server.chats, 1);
      // Raising the characters kept raises the cap (to 128 MB): the same bomb is then read to its end (100 MB).
      const generous = new ModelClient(settings(server.url, { maxReplyChars: 2_000_000 }));
      await assert.rejects(generous.complete({ messages }, { signal: new AbortController().signal }), /stream ended before the reply was finished/);
    } finally {
      await server.close();
    }
  });

  it('a gzip bomb as the model list, and as the body of an error: capped where the SDK reads them', async () => {
    const server = await serve({
      models: { type: 'application/json', encoding: 'gzip', bytes: commentBomb },
      chat: { type: 'application/json', encoding: 'gzip', bytes: commentBomb },
      chatStatus: 500,
    });
    try {
      await failsWithin(() => new ModelClient(settings(server.url, { model: '' })).preflight(), /sent an answer larger than 16 MB; it was not kept$/);
      await failsWithin(
        () => new ModelClient(settings(server.url, { maxRetries: 0 })).complete({ messages }, { signal: new AbortController().signal }),
        /answered 500: .*an answer larger than 16 MB/,
      );
    } finally {
      await server.close();
    }
  });

  it('reads the same reply however the bytes are cut: CRLF, characters split across chunks, comments, multi-line data, a BOM', async () => {
    const text = 'Ünïcödé 🚀 text, "quoted", and a\nnewline — ';
    const events = [
      '\uFEFF: a comment first\r\n',
      `event: message\r\ndata: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: 'thinking ' } }] })}\r\n\r\n`,
      ...[...text].map((ch) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ch } }] })}\n\n`),
      // One event's data over two lines, joined with a newline (whitespace to JSON).
      `data: {"choices": [{"index": 0,\ndata:  "delta": {"content": "end"}, "finish_reason": "stop"}]}\n\n`,
      'data: [DONE]\n\n',
    ];
    const bytes = new TextEncoder().encode(events.join(''));
    for (let round = 0; round < 300; round++) {
      const cuts: Uint8Array[] = [];
      for (let at = 0; at < bytes.length;) {
        const size = round === 0 ? 1 : 1 + Math.floor(Math.random() * (round % 2 ? 7 : 200));
        cuts.push(bytes.subarray(at, at + size));
        at += size;
      }
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = cuts.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      const reply = await readReply(response, new ReplyAccumulator(1_000_000), { maxChars: 1_000_000 });
      assert.equal(reply.text, `${text}end`, `round ${round}`);
      assert.equal(reply.reasoning, 'thinking ');
      assert.equal(reply.finishReason, 'stop');
    }
  });

  describe('over https, through the built gog ask (the built-in fetch path)', () => {
    const tmp = tempDir('gog-reply-limits-');
    let tls: { key: Buffer; cert: Buffer; certFile: string };
    before(async () => {
      buildOnce();
      const key = path.join(tmp.dir, 'key.pem');
      const certFile = path.join(tmp.dir, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          certFile,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'pipe' },
      );
      tls = { key: await fs.readFile(key), cert: await fs.readFile(certFile), certFile };
    });
    after(tmp.cleanup);

    /** The built gog ask in bash, whose `times` gives the CPU the child used. */
    function askOver(url: string, out: string): Promise<{ code: number | null; stderr: string; cpu: number }> {
      const args = ['ask', '--image', photo('rocket.jpg'), '--question', 'what is it?', '--endpoint', url, '--model', MODEL, '--out', out, '--timeout', '60'];
      const script = `"$0" "$@" 2>"${out}.stderr"; code=$?; times; exit $code`;
      const child = spawn('bash', ['-c', script, process.execPath, CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', NODE_EXTRA_CA_CERTS: tls.certFile },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      return new Promise((resolve) => {
        child.on('close', (code) => {
          void fs.readFile(`${out}.stderr`, 'utf8').then((stderr) => {
            // The second line of `times`: the children's user and system time.
            const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/m.exec(stdout.trim().split('\n').at(-1) ?? '');
            const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
            resolve({ code, stderr, cpu });
          });
        });
      });
    }

    for (const [name, body, pattern] of [
      [
        'a 20 MB SSE line',
        { type: 'text/event-stream', stream: longLine(20 * MB) },
        /sent a stream line larger than 16 MB; it was not kept \(trajectory so far: /,
      ],
      [
        'a gzip bomb of comment lines',
        { type: 'text/event-stream', encoding: 'gzip', bytes: Buffer.alloc(0) },
        /sent a reply stream larger than 64 MB; it was not kept/,
      ],
    ] as const) {
      it(`${name}: one line naming the cap, in little CPU`, async () => {
        const chat: Body = 'bytes' in body ? { ...body, bytes: commentBomb } : body;
        const server = await serve({ chat }, { key: tls.key, cert: tls.cert });
        try {
          const run = await askOver(server.url, path.join(tmp.dir, name.replace(/\W+/g, '-')));
          assert.equal(run.code, 1, run.stderr);
          const errors = run.stderr
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('gog: ') && !l.startsWith('gog: warning'));
          assert.equal(errors.length, 1, run.stderr);
          assert.match(errors[0]!, pattern);
          assert.equal(server.chats, 1, 'not asked again');
          // The whole command, startup included.
          assert.ok(run.cpu < CPU_LIMIT_S + 1, `${run.cpu} s of CPU`);
        } finally {
          await server.close();
        }
      });
    }
  });
});
