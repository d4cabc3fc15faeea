// The real `openai` client over real HTTP, against OpenAI-compatible servers on 127.0.0.1.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { ChatMessage } from '../../src/core/chat';
import { isAbort } from '../../src/core/agent';
import { ModelClient, type ModelSettings } from '../../src/model/client';
import { ModelError } from '../../src/model/errors';
import { startReplayServer, type ReplayOptions, type ReplayServer } from '../../src/model/replayServer';
import { recording, TEST_MODEL, toolTurn } from '../helpers/recordings';
import { completion, sseChunk, startWireServer } from '../helpers/wireServer';

const QUESTION = 'What is in the picture?';
const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: `Question: ${QUESTION}` }] }];
const signal = () => new AbortController().signal;

function settings(server: { url: string }, overrides: Partial<ModelSettings> = {}): ModelSettings {
  return {
    endpoint: server.url,
    model: TEST_MODEL,
    temperature: 0,
    maxTokens: 256,
    timeoutMs: 5000,
    maxRetries: 2,
    stream: true,
    maxReplyChars: 1_000_000,
    ...overrides,
  };
}

async function withServer(turns: Parameters<typeof recording>[1], options: ReplayOptions, run: (server: ReplayServer) => Promise<void>): Promise<void> {
  const server = await startReplayServer([recording(QUESTION, turns)], options);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

async function expectModelError(p: Promise<unknown>, kind: ModelError['kind'], pattern: RegExp): Promise<ModelError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => ((caught = e), true));
  assert.ok(caught instanceof ModelError, `expected ModelError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes('\n'));
  return caught;
}

describe('model client (openai SDK over HTTP)', () => {
  it('streams a reply: text, reasoning_content, usage, finish reason, deltas', async () => {
    const text = '<think>A rocket.</think><answer>Falcon 9</answer>';
    await withServer([{ text, reasoning: 'looking closely', usage: { prompt: 100, completion: 12 } }], { chunkChars: 5 }, async (server) => {
      const deltas: string[] = [];
      const reply = await new ModelClient(settings(server)).complete({ messages }, { signal: signal(), onDelta: (d) => deltas.push(d) });
      assert.equal(reply.text, text);
      assert.equal(reply.reasoning, 'looking closely');
      assert.deepEqual(reply.usage, { prompt: 100, completion: 12 });
      assert.equal(reply.finishReason, 'stop');
      assert.ok(deltas.length >= 10);
      assert.equal(deltas.join(''), text);
    });
  });

  it('reads a whole (non-streamed) reply the same way', async () => {
    await withServer([{ text: '<answer>x</answer>', reasoning: 'r' }], {}, async (server) => {
      const reply = await new ModelClient(settings(server, { stream: false })).complete({ messages }, { signal: signal() });
      assert.equal(reply.text, '<answer>x</answer>');
      assert.equal(reply.reasoning, 'r');
      assert.equal(reply.finishReason, 'stop');
      assert.ok(reply.usage && reply.usage.prompt > 0);
    });
  });

  it('assembles streamed tool-call deltas into whole calls', async () => {
    await withServer([toolTurn('image_search', { region: [1, 2, 300, 400] }, 'Look at the patch.')], {}, async (server) => {
      for (const stream of [true, false]) {
        const reply = await new ModelClient(settings(server, { stream })).complete({ messages }, { signal: signal() });
        assert.equal(reply.text, 'Look at the patch.');
        assert.deepEqual(reply.toolCalls, [
          { id: 'call_image_search', type: 'function', function: { name: 'image_search', arguments: '{"region":[1,2,300,400]}' } },
        ]);
        assert.equal(reply.finishReason, 'tool_calls');
      }
    });
  });

  it("recovers from 429 and 500 with the SDK's retries", async () => {
    await withServer(['<answer>a</answer>'], { faults: { 1: '429', 2: '500' } }, async (server) => {
      const reply = await new ModelClient(settings(server)).complete({ messages }, { signal: signal() });
      assert.equal(reply.text, '<answer>a</answer>');
      assert.equal(server.stats.chatRequests, 3);
    });
  });

  it('ends with a one-line error once retries are used up', async () => {
    await withServer(['<answer>a</answer>'], { faults: { 1: '500', 2: '500', 3: '500' } }, async (server) => {
      await expectModelError(new ModelClient(settings(server)).complete({ messages }, { signal: signal() }), 'server', /answered 500: Internal server error/);
      assert.equal(server.stats.chatRequests, 3);
    });
    await withServer(['<answer>a</answer>'], { faults: { 1: '429', 2: '429', 3: '429' } }, async (server) => {
      await expectModelError(new ModelClient(settings(server)).complete({ messages }, { signal: signal() }), 'rate_limited', /rate-limiting \(429\)/);
    });
  });

  it('asks again when a stream is cut midway, and records why', async () => {
    await withServer(['<think>' + 'long thought '.repeat(20) + '</think><answer>a</answer>'], { faults: { 1: 'cut' } }, async (server) => {
      const reply = await new ModelClient(settings(server)).complete({ messages }, { signal: signal() });
      assert.match(reply.text, /<answer>a<\/answer>$/);
      assert.equal(reply.notices?.length, 1);
      assert.match(reply.notices[0]!, /stream broke after \d+ characters .* asked again/);
    });
  });

  it('gives up after a second cut, and on malformed JSON that does not go away', async () => {
    await withServer(['<answer>a</answer>'], { faults: { 1: 'cut', 2: 'cut' } }, async (server) => {
      await expectModelError(
        new ModelClient(settings(server)).complete({ messages }, { signal: signal() }),
        'bad_response',
        /bad response from the model endpoint/,
      );
    });
    await withServer(['<answer>a</answer>'], { faults: { 1: 'malformed' } }, async (server) => {
      await expectModelError(new ModelClient(settings(server, { stream: false })).complete({ messages }, { signal: signal() }), 'bad_response', /bad response/);
    });
    await withServer(['<answer>a</answer>'], { faults: { 1: 'malformed' } }, async (server) => {
      // A malformed stream is a broken stream: asked once more, which succeeds.
      const reply = await new ModelClient(settings(server)).complete({ messages }, { signal: signal() });
      assert.equal(reply.text, '<answer>a</answer>');
      assert.equal(reply.notices?.length, 1);
    });
  });

  it('gives a turn one deadline, retries included, and says that figure: a server that never answers', async () => {
    await withServer(['<answer>a</answer>'], { faults: { 1: 'hang', 2: 'hang', 3: 'hang' } }, async (server) => {
      const client = new ModelClient(settings(server, { timeoutMs: 1000, maxRetries: 2 }));
      const started = Date.now();
      await expectModelError(
        client.complete({ messages }, { signal: signal() }),
        'timeout',
        /did not finish its reply within 1 s, the time limit for one model turn \(retries included/,
      );
      const took = Date.now() - started;
      assert.ok(took >= 950 && took < 2800, `the turn ended at its deadline, not after each retry's: ${took} ms`);
    });
  });

  it('cuts a stream that trickles past the deadline, and keeps what arrived as the partial reply', async () => {
    const server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first word at once (a loaded machine must not leave the partial empty), then a trickle.
      let i = 0;
      res.write(sseChunk({ content: `word${i++} ` }));
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(sseChunk({ content: `word${i++} ` }));
      }, 100);
      res.on('close', () => clearInterval(timer));
    }, TEST_MODEL);
    try {
      const started = Date.now();
      const err = await expectModelError(
        new ModelClient(settings(server, { timeoutMs: 1000 })).complete({ messages }, { signal: signal() }),
        'timeout',
        /within 1 s/,
      );
      assert.ok(Date.now() - started < 4000, 'a chunk every 100 ms does not keep the turn alive');
      assert.match(err.partial?.text ?? '', /^word0 (word\d+ )*$/);
      assert.equal(err.partial?.cut?.reason, 'timeout');
      assert.equal(server.requests.filter((r) => r.url.includes('/chat/')).length, 1);
    } finally {
      await server.close();
    }
  });

  it('keeps at most maxReplyChars of a reply, says it was cut, and stops reading', async () => {
    let written = 0;
    const server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // An endless reply: 1,000 characters a chunk until the client goes away.
      const pump = () => {
        while (!res.destroyed && written < 50_000_000 && res.write(sseChunk({ content: 'x'.repeat(1000) }))) written += 1000;
        if (!res.destroyed && written < 50_000_000) res.once('drain', pump);
      };
      pump();
    }, TEST_MODEL);
    try {
      const reply = await new ModelClient(settings(server, { maxReplyChars: 25_000 })).complete({ messages }, { signal: signal() });
      assert.equal(reply.text.length, 25_000);
      assert.equal(reply.cut?.reason, 'too_long');
      assert.equal(reply.finishReason, 'length');
      assert.match(reply.notices?.[0] ?? '', /cut at 25,000 characters \(setting gog\.maxReplyChars/);
      assert.ok(written < 10_000_000, `the rest was not read (${written} characters were sent)`);
    } finally {
      await server.close();
    }
    // A whole reply of 40,000 characters, then one of 3 MB.
    const whole = await startWireServer((_req, res, _body, n) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('y'.repeat(n === 1 ? 40_000 : 3_000_000)));
    }, TEST_MODEL);
    try {
      const reply = await new ModelClient(settings(whole, { stream: false, maxReplyChars: 10_000 })).complete({ messages }, { signal: signal() });
      assert.equal(reply.text.length, 10_000);
      assert.equal(reply.cut?.reason, 'too_long');
      const huge = new ModelClient(settings(whole, { stream: false, maxReplyChars: 1000 }));
      await expectModelError(huge.complete({ messages }, { signal: signal() }), 'bad_response', /sent a reply larger than \d+ MB; it was not kept/);
    } finally {
      await whole.close();
    }
  });

  it('names a reply that is not an OpenAI-compatible one (an HTML page with status 200), with its first bytes', async () => {
    const page = '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>';
    const server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }, TEST_MODEL);
    try {
      for (const stream of [true, false]) {
        const err = await expectModelError(
          new ModelClient(settings(server, { stream })).complete({ messages }, { signal: signal() }),
          'bad_response',
          /answered 200 with an HTML page, not an OpenAI-compatible reply \(is the URL the API's base, usually ending in \/v1\?\); it began: "<!DOCTYPE html> <html><head><title>Welcome to nginx!/,
        );
        assert.ok(err.message.length < 500);
      }
    } finally {
      await server.close();
    }
  });

  it('reads a whole JSON reply where a stream was asked for (a server that ignores stream: true)', async () => {
    const server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('<answer>plain</answer>'));
    }, TEST_MODEL);
    try {
      const reply = await new ModelClient(settings(server, { stream: true })).complete({ messages }, { signal: signal() });
      assert.equal(reply.text, '<answer>plain</answer>');
      assert.deepEqual(reply.usage, { prompt: 10, completion: 5 });
    } finally {
      await server.close();
    }
  });

  it('sends the query string of the endpoint with every request, and never repeats its values', async () => {
    const token = 'tok-Gateway+Secret/42';
    const server = await startWireServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route for ${req.url}`, type: 'invalid_request_error' } }));
    }, TEST_MODEL);
    try {
      const client = new ModelClient(settings({ url: `${server.url}?token=${encodeURIComponent(token)}&v=1` }, { model: '', maxRetries: 0 }));
      assert.equal(client.endpoint, server.url);
      assert.equal((await client.preflight()).model, TEST_MODEL);
      const err = await expectModelError(
        client.complete({ messages }, { signal: signal() }),
        'bad_response',
        /answered 400: no route for \/v1\/chat\/completions\?token=\[redacted\]&v=1/,
      );
      assert.ok(!err.message.includes(token) && !err.message.includes(encodeURIComponent(token)));
      const paths = server.requests.map((r) => r.url);
      assert.deepEqual(paths, [`/v1/models?token=${encodeURIComponent(token)}&v=1`, `/v1/chat/completions?token=${encodeURIComponent(token)}&v=1`]);
    } finally {
      await server.close();
    }
  });

  it('cancels by AbortSignal at once', async () => {
    await withServer(['<answer>a</answer>'], { latencyMs: 5000 }, async (server) => {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(new ModelClient(settings(server)).complete({ messages }, { signal: controller.signal }), (e: unknown) =>
        isAbort(e, controller.signal),
      );
      assert.ok(Date.now() - started < 2000);
    });
  });

  it('carries concurrent requests on one client, each with its own body', async () => {
    const bodies: string[] = [];
    const server = await startWireServer((_req, res, body) => {
      bodies.push(body);
      // Answer late, so every request is in flight at once.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(`<answer>${(JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content}</answer>`));
      }, 100);
    }, TEST_MODEL);
    try {
      const client = new ModelClient(settings(server, { stream: false }));
      const questions = Array.from({ length: 6 }, (_, i) => `question number ${i} ${'x'.repeat(i * 1000)}`);
      const replies = await Promise.all(questions.map((q) => client.complete({ messages: [{ role: 'user', content: q }] }, { signal: signal() })));
      assert.deepEqual(
        replies.map((r) => r.text),
        questions.map((q) => `<answer>${q}</answer>`),
      );
      assert.equal(bodies.length, 6);
      for (const b of bodies) JSON.parse(b); // each body whole
    } finally {
      await server.close();
    }
  });

  it('leaves no listener behind on the run signal over many requests', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await withServer(
        Array.from({ length: 30 }, () => '<answer>a</answer>'),
        {},
        async (server) => {
          const client = new ModelClient(settings(server));
          const run = new AbortController().signal;
          for (let i = 0; i < 30; i++) {
            const history: ChatMessage[] = [...messages];
            for (let j = 0; j < i; j++) history.push({ role: 'assistant', content: 'x' }, { role: 'user', content: 'y' });
            await client.complete({ messages: history }, { signal: run });
          }
        },
      );
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((w) => w.message),
      [],
    );
  });

  it('reads replies a proxy compressed on the way (gzip, deflate, br)', async () => {
    for (const [encoding, compress] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ] as const) {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const body = req.url?.endsWith('/models')
            ? { object: 'list', data: [{ id: TEST_MODEL, object: 'model' }] }
            : {
                id: 'x',
                object: 'chat.completion',
                choices: [{ index: 0, message: { role: 'assistant', content: `<answer>${encoding}</answer>` }, finish_reason: 'stop' }],
              };
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
          res.end(compress(Buffer.from(JSON.stringify(body))));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      try {
        const client = new ModelClient(settings({ url }, { model: '', stream: false }));
        assert.equal((await client.preflight()).model, TEST_MODEL);
        assert.equal((await client.complete({ messages }, { signal: signal() })).text, `<answer>${encoding}</answer>`);
      } finally {
        await new Promise((r) => server.close(r));
      }
    }
  });

  describe('preflight and endpoint errors', () => {
    it('picks the first served model when none is named, and names what is served when the model is wrong', async () => {
      await withServer(['<answer>a</answer>'], {}, async (server) => {
        const auto = new ModelClient(settings(server, { model: '' }));
        assert.deepEqual(await auto.preflight(), { model: TEST_MODEL, served: [TEST_MODEL] });
        const wrong = new ModelClient(settings(server, { model: 'qwen-nope' }));
        await expectModelError(wrong.preflight(), 'model_not_found', /does not serve model "qwen-nope"; it serves: gog-test-model/);
        // Without a preflight, the server's 404 is explained the same way.
        await expectModelError(wrong.complete({ messages }, { signal: signal() }), 'model_not_found', /does not serve model "qwen-nope" \(404/);
      });
    });

    it('says when the endpoint cannot be reached', async () => {
      const server = await startReplayServer([recording(QUESTION, ['x'])]);
      await server.close(); // the port is now closed
      const client = new ModelClient(settings(server, { maxRetries: 0 }));
      await expectModelError(
        client.preflight(),
        'unreachable',
        /cannot reach the model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\); is the server running\?/,
      );
    });

    it("explains vLLM's one-image-per-prompt limit", async () => {
      await withServer(['<answer>a</answer>'], { imageLimit: 1 }, async (server) => {
        const two: ChatMessage[] = [
          {
            role: 'user',
            content: [
              { type: 'text', text: `Question: ${QUESTION}` },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AA' } },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,BB' } },
            ],
          },
        ];
        await expectModelError(
          new ModelClient(settings(server)).complete({ messages: two }, { signal: signal() }),
          'too_many_images',
          /fewer images per prompt than this run sends \(2\): start vLLM with --limit-mm-per-prompt .*gog\.evidenceImages.*At most 1 image\(s\)/,
        );
      });
    });

    it('never repeats the API key, even when the server echoes it', async () => {
      const key = 'sk-test-SECRET-0123456789';
      const server = http.createServer((req, res) => {
        const echoed = String(req.headers.authorization ?? '');
        const status = req.url?.includes('models') ? 401 : 400;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bad credentials: ${echoed}`, type: 'invalid_request_error' } }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      try {
        const client = new ModelClient({ ...settings({ url }), apiKey: key, maxRetries: 0 });
        const auth = await expectModelError(client.preflight(), 'auth', /refused the API key \(401\)/);
        assert.ok(!auth.message.includes(key));
        const bad = await expectModelError(
          client.complete({ messages }, { signal: signal() }),
          'bad_response',
          /answered 400: bad credentials: Bearer \[redacted\]/,
        );
        assert.ok(!bad.message.includes(key));
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });
});
