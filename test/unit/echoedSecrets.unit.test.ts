// Every endpoint a run talks to may echo the key it was sent: the model, the LLM judge, the
// page summariser, a search service, the page reader. The built `gog` runs against servers
// on 127.0.0.1 that do, in every spelling (as given, URL- and form-encoded, JSON-escaped,
// base64 in a Basic header and inside a blob); then no file the run or the cache holds,
// and nothing printed, has any key in any spelling, and the redaction shows where it was made.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { isRight } from '../../src/data/verdict';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { gog } from '../helpers/cli';
import { copyRun } from '../helpers/demoRuns';
import { startFakeJina, type FakeJina } from '../helpers/fakeJina';
import { PAGES, startFakeService, type FakeService } from '../helpers/fakeProviders';
import { photo, tempDir } from '../helpers/fixtures';
import { assertNowhere, echoOf, filesUnder, spellings } from '../helpers/secretSpellings';
import { completion, sseChunk, startWireServer, type WireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

/** Keys with characters that spell differently in a URL, a form, JSON and base64. */
const MODEL_KEY = 'sk-model+Key/0123456789="ok"';
const JUDGE_KEY = 'sk-judge+Key/9876543210="no"';
const BRAVE_KEY = 'brave+Key/0123456789=';
const JINA_KEY = 'jina+Key/0123456789=';

const bearer = (req: http.IncomingMessage) => String(req.headers.authorization ?? '').replace(/^Bearer /, '');

/** Answers a chat request with `text`: streamed in two pieces when the request streams, whole otherwise. */
function reply(res: http.ServerResponse, body: string, text: string): void {
  if ((JSON.parse(body) as { stream?: boolean }).stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const half = Math.floor(text.length / 2);
    res.write(sseChunk({ role: 'assistant', content: text.slice(0, half) }));
    res.write(sseChunk({ content: text.slice(half) }));
    res.end(`${sseChunk({}, 'stop')}data: [DONE]\n\n`);
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(completion(text));
  }
}

/** A JSON service on 127.0.0.1 answering every GET with `answer(request URL)`. */
async function startJsonServer(answer: (url: string) => unknown): Promise<{ url: string; urls: string[]; close(): Promise<void> }> {
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    urls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Whether any file under `dir` says `[redacted]`: the echo came back and was caught, so the test means something. */
async function redactedSomewhere(dir: string): Promise<boolean> {
  for (const file of await filesUnder(dir)) if ((await fs.readFile(file)).includes('[redacted]')) return true;
  return false;
}

describe('echoed secrets: no endpoint puts a key into a file or the output', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-echo-');
  const servers: { close(): Promise<void> }[] = [];
  const serve = async <S extends { close(): Promise<void> }>(s: Promise<S>): Promise<S> => {
    const started = await s;
    servers.push(started);
    return started;
  };

  before(() => {
    buildOnce();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    tmp.cleanup();
  });

  /** A model that answers at once, repeating its key in every spelling first. */
  const echoingModel = () => serve(startWireServer((req, res, body) => reply(res, body, `<think>${echoOf(bearer(req))}</think><answer>coffee</answer>`)));

  it('the judge: gog bench with a judge that echoes GOG_JUDGE_API_KEY and the request keeps it out of results.jsonl and every file', async () => {
    const data = path.join(tmp.dir, 'judged');
    await fs.mkdir(data);
    await fs.copyFile(photo('coffee.png'), path.join(data, 'cup.png'));
    const rows = [
      { id: 'a', q: 'What drink is in the cup?', a: 'coffee', img: 'cup.png', cat: 'drinks' },
      { id: 'b', q: 'What is in the cup?', a: 'espresso', img: 'cup.png', cat: 'drinks' },
    ];
    await fs.writeFile(path.join(data, 'set.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const model = await echoingModel();
    const judge = await serve(
      startWireServer(
        (req, res, body) =>
          reply(res, body, `<judge>Yes</judge><reason>you sent ${String(req.headers.authorization)} ; ${echoOf(bearer(req))} ; ${body}</reason>`),
        'judge-model',
      ),
    );
    const out = path.join(tmp.dir, 'judged-run');
    const cache = path.join(tmp.dir, 'judged-cache');
    const run = await gog(
      [
        'bench',
        path.join(data, 'set.jsonl'),
        '--map',
        'question=q,answer=a,image=img,id=id,category=cat',
        '--endpoint',
        model.url,
        '--judge-endpoint',
        judge.url,
        '--judge-model',
        'judge-model',
        '--out',
        out,
        '--cache',
        cache,
      ],
      { env: { OPENAI_API_KEY: MODEL_KEY, GOG_JUDGE_API_KEY: JUDGE_KEY } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      judge.requests.some((r) => r.headers?.authorization === `Bearer ${JUDGE_KEY}`),
      'the judge was sent its key',
    );
    const results = (await fs.readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(results.length, 2);
    for (const line of results) {
      const reply = (JSON.parse(line) as { scores: { judge: { reply: string; correct: boolean } } }).scores.judge;
      assert.equal(reply.correct, true);
      assert.match(reply.reply, /you sent Bearer \[redacted\]/);
    }
    await assertNowhere([MODEL_KEY, JUDGE_KEY], run, [out, cache]);
  });

  it('the model: gog ask against a model that echoes OPENAI_API_KEY in a streamed reply keeps it out of the trajectory and the output', async () => {
    const model = await echoingModel();
    const out = path.join(tmp.dir, 'model-run');
    const run = await gog(['ask', '--image', photo('coffee.png'), '--question', 'What drink is this?', '--endpoint', model.url, '--out', out, '--json'], {
      env: { OPENAI_API_KEY: MODEL_KEY },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { answer: string }).answer, 'coffee');
    assert.ok(await redactedSomewhere(out), 'the echo was caught');
    await assertNowhere([MODEL_KEY], run, [out]);
  });

  it('the model, printed: the steps on the terminal hold no key either', async () => {
    const model = await serve(
      startWireServer((req, res, body) => reply(res, body, `<think>${echoOf(bearer(req))}</think><answer>${echoOf(bearer(req))}</answer>`)),
    );
    const out = path.join(tmp.dir, 'model-printed');
    const run = await gog(['ask', '--image', photo('coffee.png'), '--question', 'What drink is this?', '--endpoint', model.url, '--out', out], {
      env: { OPENAI_API_KEY: MODEL_KEY },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /answer +as-given \[redacted\]/);
    await assertNowhere([MODEL_KEY], run, [out]);
  });

  it('commands that read runs made elsewhere (gog compare) print no secret of the environment', async () => {
    const [a, b] = [path.join(tmp.dir, 'old-a'), path.join(tmp.dir, 'old-b')];
    const [right] = syntheticResults(20, { seed: 5 }).filter((r) => isRight(r));
    const [wrong] = syntheticResults(20, { seed: 5 }).filter((r) => !isRight(r));
    // Runs from an older build, or written by hand: the key in an answer and a question.
    await writeBenchRun(a, [{ ...right!, id: 'x', question: `Which key? ${MODEL_KEY}` }], { trajectories: false });
    await writeBenchRun(b, [{ ...wrong!, id: 'x', answer: `it is ${echoOf(JUDGE_KEY)}` }], { trajectories: false });
    const run = await gog(['compare', a, b], { env: { OPENAI_API_KEY: MODEL_KEY, GOG_JUDGE_API_KEY: JUDGE_KEY } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Which key\? \[redacted\]/);
    await assertNowhere([MODEL_KEY, JUDGE_KEY], run, []);
  });

  it('gog report of runs made elsewhere puts no secret of the environment into the HTML it writes', async () => {
    const run = await copyRun('2-rocket-dscovr', tmp.dir);
    // A trajectory from an older build: a key an endpoint echoed, in every spelling.
    await fs.appendFile(run.trajectory, JSON.stringify({ type: 'notice', step: 1, t: '2026-01-01T00:00:00.000Z', message: echoOf(MODEL_KEY) }) + '\n');
    const out = path.join(tmp.dir, 'reports');
    await fs.mkdir(out);
    const report = await gog(['report', run.trajectory, '--out', path.join(out, 'trajectory.html')], { env: { OPENAI_API_KEY: MODEL_KEY } });
    assert.equal(report.code, 0, report.stderr);
    assert.ok(await redactedSomewhere(out), 'the key was there, and redacted');
    await assertNowhere([MODEL_KEY], report, [out]);
    // A placeholder key (vLLM's docs say EMPTY; people write none) redacts the record's text, never the page's code.
    const page = async (key: string) => {
      const file = path.join(out, `page-${key || 'no-key'}.html`);
      assert.equal((await gog(['report', run.trajectory, '--out', file], { env: { OPENAI_API_KEY: key } })).code, 0);
      // The page's code: its script bundle and its styles (with the font).
      const html = await fs.readFile(file, 'utf8');
      return [...html.matchAll(/<(script|style) nonce="[^"]*">([\s\S]*?)<\/\1>/g)].map((m) => m[2]).join('\n');
    };
    const code = await page('none');
    assert.ok(code.includes('none'), 'the page’s code says none');
    assert.equal(code, await page(''), 'the page’s code is the same with a placeholder key');
  });

  describe('searching the web: a service, the page reader and the summariser all echo their keys', () => {
    let brave: FakeService;
    let jina: FakeJina;
    let summaries: WireServer;
    let model: WireServer;

    /** A model whose first turn is a text search, and whose second is the answer. */
    const searchingModel = () =>
      serve(
        startWireServer((_req, res, body, n) =>
          reply(res, body, n === 1 ? '<think>Search.</think><text_search>coffee</text_search>' : '<answer>coffee</answer>'),
        ),
      );

    before(async () => {
      brave = await serve(startFakeService('brave', BRAVE_KEY));
      jina = await serve(startFakeJina({ key: JINA_KEY }));
      summaries = await serve(startWireServer((req, res, body) => reply(res, body, `The page says coffee. ${echoOf(bearer(req))}`), 'summary-model'));
      model = await searchingModel();
    });

    it('gog ask --text-search brave --read-pages: no key in the run folder, the cache, the output, or what the summariser was sent', async () => {
      brave.reset();
      brave.echoKey = true;
      // The reader echoes its key into both pages it reads.
      for (const p of PAGES.slice(0, 2))
        jina.queue.push({
          status: 200,
          headers: { 'content-type': 'text/plain' },
          body: `Title: ${p.title}\nURL Source: ${p.url}\n\nMarkdown Content:\n${p.snippet} ${echoOf(JINA_KEY)}`,
        });
      const out = path.join(tmp.dir, 'web-run');
      const cache = path.join(tmp.dir, 'web-cache');
      const run = await gog(
        [
          'ask',
          '--image',
          photo('coffee.png'),
          '--question',
          'What drink is this?',
          '--endpoint',
          model.url,
          '--text-search',
          'brave',
          '--provider-url',
          `brave=${brave.origin}`,
          '--read-pages',
          '--page-reader',
          'jina',
          '--provider-url',
          `jina=${jina.url}`,
          '--pages-to-read',
          '2',
          '--summary-endpoint',
          summaries.url,
          '--allow-private-urls',
          '--cache',
          cache,
          '--out',
          out,
          '--json',
        ],
        { env: { OPENAI_API_KEY: MODEL_KEY, BRAVE_API_KEY: BRAVE_KEY, JINA_API_KEY: JINA_KEY } },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(summaries.requests.filter((r) => r.url.endsWith('/chat/completions')).length, 2, 'both pages were summarised');
      assert.ok(summaries.requests.every((r) => r.headers?.authorization === `Bearer ${MODEL_KEY}`));
      // The reader's echo never travels on to another server.
      for (const r of summaries.requests)
        for (const form of spellings(JINA_KEY)) assert.ok(!r.body.includes(form), `the summariser was sent the Jina key as ${form}`);
      const trajectory = await fs.readFile(path.join(out, 'trajectory.jsonl'), 'utf8');
      assert.match(trajectory, /"summary":"The page says coffee\. as-given \[redacted\]/);
      await assertNowhere([MODEL_KEY, BRAVE_KEY, JINA_KEY], run, [out, cache]);
    });

    it('a service behind a proxy whose URL carries a token: the proxy echoes the URL into its results, and the cache keeps no token', async () => {
      const token = 'proxy-Token/0123456789+x=';
      const proxy = await serve(
        startJsonServer((url) => ({ results: [{ title: `seen ${url}`, url: `https://example.org/a?${url.split('?')[1]}`, content: echoOf(token) }] })),
      );
      const out = path.join(tmp.dir, 'proxy-run');
      const cache = path.join(tmp.dir, 'proxy-cache');
      const run = await gog([
        'ask',
        '--image',
        photo('coffee.png'),
        '--question',
        'What drink is this?',
        '--endpoint',
        (await searchingModel()).url,
        '--text-search',
        'searxng',
        '--provider-url',
        `searxng=${proxy.url}/?token=${encodeURIComponent(token)}`,
        '--allow-private-urls',
        '--cache',
        cache,
        '--out',
        out,
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        proxy.urls.some((u) => u.includes(`token=${encodeURIComponent(token)}`)),
        'the token was sent',
      );
      assert.ok(await redactedSomewhere(cache), 'the echo was caught');
      await assertNowhere([token], run, [out, cache]);
    });
  });
});
