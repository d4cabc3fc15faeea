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

const QUESTION = 'What is in the picture?';
const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: `Question: ${QUESTION}` }] }];
const signal = () => new AbortController().signal;

function settings(server: { url: string }, overrides: Partial<ModelSettings> = {}): ModelSettings {
  return { endpoint: server.url, model: TEST_MODEL, temperature: 0, maxTokens: 256, timeoutMs: 5000, maxRetries: 2, stream: true, ...overrides };
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

  it('times out a server that never answers, retrying first', async () => {
    await withServer(['<answer>a</answer>'], { faults: { 1: 'hang', 2: 'hang' } }, async (server) => {
      const client = new ModelClient(settings(server, { timeoutMs: 300, maxRetries: 1 }));
      await expectModelError(client.complete({ messages }, { signal: signal() }), 'timeout', /did not answer within 0\.3 s/);
      assert.equal(server.stats.chatRequests, 2);
    });
    await withServer(['<answer>a</answer>'], { faults: { 1: 'hang' } }, async (server) => {
      const reply = await new ModelClient(settings(server, { timeoutMs: 300, maxRetries: 1 })).complete({ messages }, { signal: signal() });
      assert.equal(reply.text, '<answer>a</answer>');
    });
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
