import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DatasetImages, loadDataset, parseFieldMap } from '../../src/data/datasets';
import { LAYOUT_NAMES, startImageServer, writeBenchmark } from '../helpers/benchmarks';
import { tempDir } from '../helpers/fixtures';

describe('benchmark datasets', () => {
  const tmp = tempDir('gog-datasets-');
  after(tmp.cleanup);

  for (const layout of LAYOUT_NAMES) {
    it(`loads the ${layout} layout: every sample in order, broken records listed by position and skipped`, async () => {
      const dir = path.join(tmp.dir, layout, 'data');
      const fx = await writeBenchmark(layout, dir, 12, 'http://127.0.0.1:9');
      const ds = await loadDataset(fx.file, fx.map ? { map: parseFieldMap(fx.map) } : {});
      assert.equal(ds.layout, layout === 'mapped' ? 'mapped' : layout);
      assert.equal(ds.samples.length, fx.expected.length, JSON.stringify(ds.problems));
      assert.equal(ds.problems.length, fx.broken, JSON.stringify(ds.problems));
      for (const p of ds.problems) assert.match(p.where, /^(line|record) \d+/);
      for (const [i, s] of ds.samples.entries()) {
        const e = fx.expected[i]!;
        assert.equal(s.index, i);
        assert.equal(s.question, e.question);
        assert.deepEqual(s.gold, e.gold);
        if (e.category) assert.equal(s.category, e.category);
        if (s.image.kind === 'file') assert.ok(s.image.path.startsWith(await fs.realpath(dir)), s.image.path);
      }
      const ids = new Set(ds.samples.map((s) => s.id));
      assert.equal(ids.size, ds.samples.length, 'ids are unique');
    });
  }

  it('refuses an image that leaves the dataset folder by a symlink, and names the record', async () => {
    const dir = path.join(tmp.dir, 'escape', 'data');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(tmp.dir, 'escape', 'secret.jpg'), 'x');
    await fs.symlink(path.join(tmp.dir, 'escape', 'secret.jpg'), path.join(dir, 'inside.jpg'));
    const file = path.join(dir, 'd.jsonl');
    await fs.writeFile(
      file,
      [
        { question: 'q', answer: 'a', image: 'inside.jpg' },
        { question: 'q2', answer: ['b', 'c'], image: 'nope.jpg' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const ds = await loadDataset(file);
    assert.equal(ds.samples.length, 0);
    assert.equal(ds.problems.length, 2);
    assert.equal(ds.problems[0]!.where, 'line 1');
    assert.match(ds.problems[0]!.message, /outside the dataset folder/);
    assert.match(ds.problems[1]!.message, /not found/);
  });

  it('turns embedded bytes into a cached file and downloads a URL once, within limits', async () => {
    const server = await startImageServer();
    try {
      const dir = path.join(tmp.dir, 'dyn', 'data');
      const fx = await writeBenchmark('dynvqa', dir, 6, server.url);
      const ds = await loadDataset(fx.file);
      const images = new DatasetImages(path.join(tmp.dir, 'cache'), { timeoutMs: 5000, maxBytes: 5_000_000, retries: 0, allowPrivateUrls: true });
      const files = await Promise.all(ds.samples.map((s) => images.file(s.image)));
      for (const f of files) assert.equal((await sharp(f).metadata()).width, 256);
      // Five photos, six samples: a URL is fetched once.
      assert.equal(new Set(server.requests).size, server.requests.length);
      // By default this machine's addresses are refused: the URL comes from someone else's file.
      const strict = new DatasetImages(path.join(tmp.dir, 'cache2'), { timeoutMs: 5000, maxBytes: 5_000_000, retries: 0, allowPrivateUrls: false });
      await assert.rejects(strict.file(ds.samples[0]!.image), /could not be downloaded/);
      const small = new DatasetImages(path.join(tmp.dir, 'cache3'), { timeoutMs: 5000, maxBytes: 100, retries: 0, allowPrivateUrls: true });
      await assert.rejects(small.file(ds.samples[0]!.image), /could not be downloaded/);

      const sv = await writeBenchmark('simplevqa', path.join(tmp.dir, 'sv'), 3);
      const svd = await loadDataset(sv.file);
      assert.equal(svd.samples[0]!.image.kind, 'bytes');
      const f = await images.file(svd.samples[0]!.image);
      assert.equal((await sharp(f).metadata()).format, 'jpeg');
    } finally {
      await server.close();
    }
  });

  it('reads a user mapping and rejects a bad one in one line', () => {
    assert.deepEqual(parseFieldMap('question=q,answer=a|b,image=img.path'), { question: 'q', answer: 'a|b', image: 'img.path' });
    assert.throws(() => parseFieldMap('question=q,answer=a'), /needs image=FIELD/);
    assert.throws(() => parseFieldMap('question=q,answer=a,image=i,colour=red'), /unknown key "colour"/);
  });

  it('says which fields it saw when it cannot tell the layout', async () => {
    const file = path.join(tmp.dir, 'odd.jsonl');
    await fs.writeFile(file, JSON.stringify({ foo: 1, bar: 2 }) + '\n');
    await assert.rejects(loadDataset(file), /fields: foo, bar.*--map/);
  });
});
