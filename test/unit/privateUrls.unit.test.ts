// URLs that someone else wrote, pointed at this machine in IPv6 clothing: a search engine's
// result page and thumbnail, and a benchmark's image URL, written as [::ffff:127.0.0.1] and
// [0:0:0:0:0:ffff:7f00:1] (which the URL parser turns into ::ffff:7f00:1). The built `gog`
// refuses them unless --allow-private-urls is given: the canary on 127.0.0.1 they point at
// hears nothing, and nothing of it is stored; with the flag, it is fetched and kept.
// (A redirect to these, behind an allowed first hop, is tested on boundedFetch itself in
// net.unit.test.ts: here every first hop would be this machine, refused on its own.)
import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { readBenchRun } from '../../src/data/benchRun';
import type { ObservationEvent } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { gog } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

const QUESTION = 'How tall is the tower in this photo?';
const TURNS = ['<think>Look it up.</think><text_search>tower height</text_search>', '<answer>330 metres</answer>'];
const CANARY_TEXT = 'CANARY_PAGE_TEXT the tower is 330 metres tall';
const SPELLINGS = ['[::ffff:127.0.0.1]', '[0:0:0:0:0:ffff:7f00:1]'];

interface Listening {
  url: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listening> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests, close: () => new Promise((r) => server.close(() => r())) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function holdsCanaryText(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) if ((await fs.readFile(f)).includes('CANARY_PAGE_TEXT')) hits.push(f);
  return hits;
}

describe('URLs from the web or a dataset, written as IPv4-mapped IPv6 loopback: refused end to end', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-private-urls-');
  const png = readFileSync(photo('coffee.png'));
  let canary: Listening;
  let engine: Listening;
  let model: ReplayServer;
  let summaries: WireServer;
  let spelling = SPELLINGS[0]!;

  before(async () => {
    buildOnce();
    canary = await listen((req, res) => {
      if (req.url?.startsWith('/article')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<html><head><title>Tower</title></head><body><p>${CANARY_TEXT}</p></body></html>`);
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    // A search engine (SearXNG's JSON API) whose results point at the canary, spelled as IPv6.
    engine = await listen((req, res) => {
      const base = `http://${spelling}:${canary.port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          query: new URL(req.url ?? '/', 'http://x').searchParams.get('q'),
          results: [{ url: `${base}/article`, title: 'The tower', content: 'A snippet about the tower.', thumbnail: `${base}/thumb.png` }],
        }),
      );
    });
    model = await startReplayServer([recording(QUESTION, TURNS)]);
    summaries = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('The page says the tower is 330 metres tall.'));
    }, 'gog-test-model');
  });
  after(async () => {
    await Promise.all([canary.close(), engine.close(), model.close(), summaries.close()]);
    tmp.cleanup();
  });

  const ask = (name: string, extra: string[] = []) =>
    gog([
      'ask',
      '--image',
      photo('astronaut.png'),
      '--question',
      QUESTION,
      '--endpoint',
      model.url,
      '--text-search',
      'searxng',
      '--provider-url',
      `searxng=${engine.url}`,
      '--read-pages',
      '--page-reader',
      'direct',
      '--pages-to-read',
      '1',
      '--summary-endpoint',
      summaries.url,
      '--search-timeout',
      '5',
      '--cache',
      path.join(tmp.dir, `cache-${name}`),
      '--out',
      path.join(tmp.dir, `run-${name}`),
      '--json',
      ...extra,
    ]);

  for (const [i, s] of SPELLINGS.entries()) {
    it(`gog ask: a result page and thumbnail at ${s} are not fetched, and nothing of them is stored`, async () => {
      spelling = s;
      canary.requests.length = 0;
      const run = await ask(`refused-${i}`);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { trajectory: string; runDir: string };
      assert.deepEqual(canary.requests, [], 'the canary was reached');
      const t = await readTrajectory(out.trajectory);
      const obs = t.events.find((e): e is ObservationEvent => e.type === 'observation')!;
      assert.equal(obs.results.length, 1);
      const [hit] = obs.results;
      assert.equal(hit!.thumbnail, undefined, 'no thumbnail stored');
      assert.equal(hit!.page, undefined, 'no page stored');
      assert.equal(hit!.summary, undefined, 'nothing summarised');
      assert.match(
        (obs.notes ?? []).join('\n'),
        /\[::ffff:7f00:1\]:\d+ is a private or local address \(loopback \(127\.0\.0\.0\/8\), as IPv4-mapped IPv6 127\.0\.0\.1\); links from search results may not point there unless allowed \(setting gog\.search\.allowPrivateUrls, CLI --allow-private-urls\)/,
      );
      assert.deepEqual(await holdsCanaryText(tmp.dir), [], 'the canary page is in no file');
      assert.deepEqual(
        summaries.requests.filter((r) => r.body.includes('CANARY_PAGE_TEXT')),
        [],
        'the summariser never saw it',
      );
    });
  }

  it('gog ask --allow-private-urls: the same page and thumbnail are fetched and kept', async () => {
    spelling = SPELLINGS[0]!;
    canary.requests.length = 0;
    const run = await ask('allowed', ['--allow-private-urls']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { trajectory: string; runDir: string };
    assert.deepEqual([...canary.requests].sort(), ['/article', '/thumb.png']);
    const t = await readTrajectory(out.trajectory);
    const hit = t.events.find((e): e is ObservationEvent => e.type === 'observation')!.results[0]!;
    assert.ok(hit.thumbnail, 'the thumbnail is stored');
    assert.equal(hit.summary, 'The page says the tower is 330 metres tall.');
    assert.match(await fs.readFile(path.join(out.runDir, hit.page!), 'utf8'), /CANARY_PAGE_TEXT/);
  });

  describe("gog bench: a dataset's image URL", () => {
    const BENCH_Q = 'What is in this picture?';
    let bench: ReplayServer;
    before(async () => (bench = await startReplayServer([recording(BENCH_Q, ['<answer>coffee</answer>'])])));
    after(() => bench.close());

    async function dataset(name: string, host: string): Promise<string> {
      const file = path.join(tmp.dir, `data-${name}`, 'DynVQA_en.202502.jsonl');
      await fs.mkdir(path.dirname(file), { recursive: true });
      const line = { image_url: `http://${host}:${canary.port}/img/coffee.png`, question: BENCH_Q, question_id: 'en0', answer: ['coffee'], gloden_query: 'x' };
      await fs.writeFile(file, JSON.stringify(line) + '\n');
      return file;
    }

    // Plainly too: the message names the dataset, not search results.
    for (const [i, s] of [...SPELLINGS, '127.0.0.1'].entries()) {
      it(`at ${s}: refused with the setting and flag that allow it, the canary untouched, nothing cached`, async () => {
        canary.requests.length = 0;
        const out = path.join(tmp.dir, `bench-refused-${i}`);
        const cache = path.join(tmp.dir, `bench-cache-refused-${i}`);
        const run = await gog(['bench', await dataset(`refused-${i}`, s), '--endpoint', bench.url, '--out', out, '--cache', cache]);
        assert.deepEqual(canary.requests, [], 'the canary was reached');
        const { results } = await readBenchRun(out);
        assert.equal(results.length, 1, run.stderr);
        assert.equal(results[0]!.stopReason, 'error');
        assert.match(
          results[0]!.error ?? '',
          /could not be downloaded: (\[::ffff:7f00:1\]|127\.0\.0\.1):\d+ is a private or local address \(loopback \(127\.0\.0\.0\/8\)(, as IPv4-mapped IPv6 127\.0\.0\.1)?\); a dataset's image URLs may not point at this machine or the local network unless allowed \(setting gog\.search\.allowPrivateUrls, CLI --allow-private-urls\)$/,
        );
        assert.deepEqual(await filesUnder(path.join(cache, 'dataset-images')), [], 'nothing cached');
        assert.equal(bench.stats.chatRequests, 0, 'the model was not asked about an image it does not have');
      });
    }

    it('with --allow-private-urls it is downloaded, cached and run', async () => {
      canary.requests.length = 0;
      const out = path.join(tmp.dir, 'bench-allowed');
      const cache = path.join(tmp.dir, 'bench-cache-allowed');
      const run = await gog([
        'bench',
        await dataset('allowed', SPELLINGS[1]!),
        '--endpoint',
        bench.url,
        '--out',
        out,
        '--cache',
        cache,
        '--allow-private-urls',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(canary.requests, ['/img/coffee.png']);
      const { results } = await readBenchRun(out);
      assert.equal(results[0]!.stopReason, 'answered', results[0]!.error);
      assert.equal((await filesUnder(path.join(cache, 'dataset-images'))).length, 1);
    });
  });
});
