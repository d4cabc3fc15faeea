// The web search providers end to end, as a user runs them: the built `gog ask` with keys
// in the environment and every service's URL pointed (--provider-url) at a fake of it on
// 127.0.0.1 speaking the documented wire format. The agent gazes (the crop is uploaded by
// HTTP PUT and the fake Lens fetches it by URL), searches text (pages read by a fake Jina
// and summarised by a second OpenAI-compatible server), and answers. Then: the keys are in
// no file the run or the cache wrote and in no output; a second run with the warm cache
// asks no service anything; a service that keeps failing is a tool error the model sees.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { ActionEvent, ObservationEvent } from '../../src/core/trajectory';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { gog, type Run } from '../helpers/cli';
import { PAGES, startFakeService, type FakeService, type FakeServiceName } from '../helpers/fakeProviders';
import { startFakeJina, type FakeJina } from '../helpers/fakeJina';
import { photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';
import { startUploadServer, type UploadServer } from '../helpers/uploadServer';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

const QUESTION = 'What is on the right of the astronaut, and what is coffee?';
const TURNS = [
  '<think>The model on the right.</think><search><bbox>[600, 0, 900, 560]</bbox></search>',
  '<reflect>Now the other half.</reflect><text_search>coffee</text_search>',
  '<think>Enough.</think><answer>A shuttle model; a drink</answer>',
];
const KEYS: Record<string, string> = {
  SERPAPI_API_KEY: 'serp-KEY-e2e-4f1c9a77',
  SERPER_API_KEY: 'serper-KEY-e2e-0b2d11',
  BRAVE_API_KEY: 'brave-KEY-e2e-77aa10',
  TAVILY_API_KEY: 'tvly-KEY-e2e-5c3e21',
  GOOGLE_API_KEY: 'goog-KEY-e2e-9e8d7c',
  JINA_API_KEY: 'jina-KEY-e2e-1a2b3c',
  OPENAI_API_KEY: 'sk-model-KEY-e2e-42',
};

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('web search end to end: gog ask against fakes of every service', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-search-e2e-');
  let model: ReplayServer;
  let summaries: WireServer;
  let jina: FakeJina;
  let uploads: UploadServer;
  const fakes = {} as Record<FakeServiceName, FakeService>;
  const modelRequests: { messages: ChatMessage[] }[] = [];

  before(async () => {
    buildOnce();
    model = await startReplayServer([recording(QUESTION, TURNS)], { onRequest: (b) => modelRequests.push(b as { messages: ChatMessage[] }) });
    summaries = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('The page says coffee is a brewed drink.'));
    }, 'gog-test-model');
    jina = await startFakeJina({ key: KEYS.JINA_API_KEY });
    // The pages the fake services return, as Jina Reader would read them.
    for (const p of PAGES) jina.pages.set(p.url, { title: p.title, markdown: `# ${p.title}\n\n${p.snippet} More text about it.` });
    uploads = await startUploadServer();
    const keyOf: Record<FakeServiceName, string> = {
      serpapi: KEYS.SERPAPI_API_KEY!,
      serper: KEYS.SERPER_API_KEY!,
      brave: KEYS.BRAVE_API_KEY!,
      tavily: KEYS.TAVILY_API_KEY!,
      searxng: '',
      'google-vision': KEYS.GOOGLE_API_KEY!,
    };
    for (const name of Object.keys(keyOf) as FakeServiceName[]) fakes[name] = await startFakeService(name, keyOf[name] || undefined);
  });
  after(async () => {
    await Promise.all([model.close(), summaries.close(), jina.close(), uploads.close(), ...Object.values(fakes).map((f) => f.close())]);
    tmp.cleanup();
  });

  function ask(name: string, image: string, text: string, extra: string[] = [], cache = path.join(tmp.dir, `cache-${name}`)): Promise<Run> {
    const urls = (Object.keys(fakes) as FakeServiceName[]).flatMap((s) => ['--provider-url', `${s}=${fakes[s].origin}`]);
    return gog(
      [
        'ask',
        '--image',
        photo('astronaut.png'),
        '--question',
        QUESTION,
        '--endpoint',
        model.url,
        '--box-format',
        'rel-1000',
        '--image-search',
        image,
        '--text-search',
        text,
        ...urls,
        '--provider-url',
        `jina=${jina.url}`,
        '--allow-private-urls',
        '--search-timeout',
        '5',
        '--cache',
        cache,
        '--out',
        path.join(tmp.dir, `run-${name}-${Date.now()}`),
        '--json',
        ...extra,
      ],
      { env: KEYS },
    );
  }

  async function expectNoKeys(run: Run, dirs: string[]): Promise<void> {
    for (const key of Object.values(KEYS)) {
      assert.ok(!run.stdout.includes(key) && !run.stderr.includes(key), `a key in the output`);
      for (const dir of dirs) {
        for (const file of await filesUnder(dir)) {
          const bytes = await fs.readFile(file);
          for (const form of [key, encodeURIComponent(key)]) assert.ok(!bytes.includes(form), `${key} written to ${path.relative(tmp.dir, file)}`);
        }
      }
    }
  }

  const combos: { name: string; image: string; text: string; extra?: string[] }[] = [
    { name: 'lens+serpapi', image: 'serpapi-lens', text: 'serpapi', extra: ['--upload-url', '', '--public-url', ''] },
    { name: 'vision+serper', image: 'google-vision', text: 'serper' },
    { name: 'local+brave', image: 'local', text: 'brave' },
    {
      name: 'local+tavily+pages',
      image: 'local',
      text: 'tavily',
      extra: ['--read-pages', '--page-reader', 'jina', '--pages-to-read', '2', '--summary-endpoint', ''],
    },
    { name: 'local+searxng', image: 'local', text: 'searxng' },
  ];

  for (const combo of combos) {
    it(`${combo.image} + ${combo.text}${combo.extra?.includes('--read-pages') ? ' + page reading' : ''}: answers, records the evidence, leaks no key; the warm cache asks nothing`, async () => {
      const extra = (combo.extra ?? []).map((v, i, all) =>
        all[i - 1] === '--upload-url'
          ? uploads.uploadUrl
          : all[i - 1] === '--public-url'
            ? uploads.publicUrl
            : all[i - 1] === '--summary-endpoint'
              ? summaries.url
              : v,
      );
      for (const f of Object.values(fakes)) f.reset();
      const cache = path.join(tmp.dir, `cache-${combo.name}`);
      const run = await ask(combo.name, combo.image, combo.text, extra, cache);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { answer: string; trajectory: string; runDir: string };
      assert.equal(out.answer, 'A shuttle model; a drink');
      const t = await readTrajectory(out.trajectory);
      assert.deepEqual(t.problems, []);
      const [gaze] = t.events.filter((e): e is ActionEvent => e.type === 'action' && e.action.kind === 'image_search');
      const [imageObs, textObs] = t.events.filter((e): e is ObservationEvent => e.type === 'observation');
      assert.ok(imageObs && textObs);
      assert.equal(imageObs.error, undefined, imageObs.error);
      assert.equal(textObs.error, undefined, textObs.error);
      assert.ok(imageObs.results.length > 0 && textObs.results.length > 0);
      if (combo.text !== 'local') assert.ok(textObs.results.some((r) => r.title === 'Coffee - Wikipedia' && r.url === 'https://en.wikipedia.org/wiki/Coffee'));
      if (combo.image === 'serpapi-lens') {
        // The crop went up by PUT, the fake Lens fetched it by its public URL and saw its size.
        const box = gaze!.action.kind === 'image_search' ? gaze!.action.box!.original : [0, 0, 0, 0];
        assert.equal(uploads.objects.size >= 1, true, 'the crop was uploaded');
        assert.match(imageObs.results[0]!.title, new RegExp(`query image ${box[2]! - box[0]!}×${box[3]! - box[1]!}\\)`));
        assert.ok(
          imageObs.results.some((r) => r.thumbnail),
          'thumbnails downloaded and stored',
        );
        assert.match(t.header!.search.uploader ?? '', /^http-put:/);
      }
      if (combo.extra?.includes('--read-pages')) {
        const read = textObs.results.filter((r) => r.summary);
        assert.equal(read.length, 2, 'the top two pages were read and summarised');
        for (const r of read) {
          assert.equal(r.summary, 'The page says coffee is a brewed drink.');
          assert.ok(r.snippet, 'the record keeps the snippet too');
          assert.ok(r.page && (await fs.readFile(path.join(out.runDir, r.page), 'utf8')).length > 0, 'the page text is a file of the run');
        }
        assert.ok(jina.requests.every((q) => q.authorization === `Bearer ${KEYS.JINA_API_KEY}`));
        // What the model read after the text search: the summaries, not the snippets.
        const afterText = JSON.stringify(modelRequests.at(-1)!.messages.at(-1));
        assert.ok(afterText.includes('The page says coffee is a brewed drink.'));
        assert.deepEqual(t.header!.search.pages, { reader: `jina:${jina.url}`, summarizer: `summary:(first served)@${summaries.url}`, pages: 2 });
      }
      for (const s of Object.values(t.header!.search.services ?? {})) assert.match(s, /^http:\/\/127\.0\.0\.1:\d+$/);
      await expectNoKeys(run, [out.runDir, cache]);

      // Again, with the cache it just filled: not one request to any service.
      for (const f of Object.values(fakes)) f.reset();
      const jinaBefore = jina.requests.length;
      const uploadsBefore = uploads.requests.length;
      const again = await ask(combo.name, combo.image, combo.text, extra, cache);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(
        Object.values(fakes).map((f) => f.requests.length),
        Object.values(fakes).map(() => 0),
        'no search requests with a warm cache',
      );
      assert.equal(jina.requests.length, jinaBefore, 'no page reads');
      assert.equal(uploads.requests.length, uploadsBefore, 'no uploads');
      const t2 = await readTrajectory(JSON.parse(again.stdout).trajectory);
      assert.ok(t2.events.filter((e): e is ObservationEvent => e.type === 'observation').every((o) => o.cached));
    });
  }

  it('a service that keeps failing is a tool error the model is told about; the run goes on', async () => {
    for (const f of Object.values(fakes)) f.reset();
    fakes.serper.script('serverError', 'serverError', 'serverError');
    const run = await ask('failing', 'local', 'serper', ['--search-retries', '1', '--no-cache']);
    assert.equal(run.code, 0, run.stderr);
    const t = await readTrajectory(JSON.parse(run.stdout).trajectory);
    const textObs = t.events.filter((e): e is ObservationEvent => e.type === 'observation')[1]!;
    assert.match(textObs.error ?? '', /^Serper: answered 500/);
    assert.ok(JSON.stringify(modelRequests.at(-1)!.messages).includes('Serper: answered 500'), 'the model saw the error');
    assert.equal(fakes.serper.requests.length, 2, 'one retry, then the error');
  });

  it('refuses to start, in one line naming what to set, when a key or an uploader is missing', async () => {
    const noKey = await gog(
      ['ask', '--image', photo('astronaut.png'), '--question', 'q', '--endpoint', model.url, '--text-search', 'brave', '--out', path.join(tmp.dir, 'nokey')],
      {
        env: { BRAVE_API_KEY: '' },
      },
    );
    assert.equal(noKey.code, 2);
    assert.match(
      noKey.stderr,
      /^gog: Brave Search needs an API key: set BRAVE_API_KEY \(command line\) or run "Glance-or-Gaze: Set Search API Key…" \(VS Code\)$/m,
    );
    const noUploader = await gog(
      [
        'ask',
        '--image',
        photo('astronaut.png'),
        '--question',
        'q',
        '--endpoint',
        model.url,
        '--image-search',
        'serpapi-lens',
        '--out',
        path.join(tmp.dir, 'noup'),
      ],
      {
        env: KEYS,
      },
    );
    assert.equal(noUploader.code, 2);
    assert.match(noUploader.stderr, /gog\.search\.uploadUrl \(CLI --upload-url\)/);
    const noSearxng = await gog([
      'ask',
      '--image',
      photo('astronaut.png'),
      '--question',
      'q',
      '--endpoint',
      model.url,
      '--text-search',
      'searxng',
      '--out',
      path.join(tmp.dir, 'nosx'),
    ]);
    assert.equal(noSearxng.code, 2);
    assert.match(noSearxng.stderr, /SearXNG runs where you host it: give its URL with --provider-url searxng=URL/);
  });
});
