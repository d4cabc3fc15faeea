// The local corpus' indexes: text ranking as MiniSearch ranked it, indexes built once and
// stored, loaded lazily, named by content, and never trusted when their file is damaged.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import MiniSearch from 'minisearch';
import type { LineProblem } from '../../src/core/jsonl';
import { LocalCorpus } from '../../src/search/localCorpus';
import { postingsInMemory, TextIndex, TextIndexBuilder } from '../../src/search/textIndex';
import { CORPUS, tempDir } from '../helpers/fixtures';
import { writeTextCorpus } from './corpusFixtures';

const signal = new AbortController().signal;

interface Page {
  id: string;
  title: string;
  url: string;
  text: string;
}

async function readPages(dir: string): Promise<Page[]> {
  return (await fs.readFile(path.join(dir, 'pages.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Page);
}

async function indexFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.gidx')).sort();
}

describe('local corpus indexes', function () {
  this.timeout(30_000);
  const tmp = tempDir();
  after(tmp.cleanup);

  it('ranks pages exactly as MiniSearch did: same pages, same order, same scores', async () => {
    const generated = path.join(tmp.dir, 'zipf');
    await writeTextCorpus(generated, 1000, 3);
    for (const dir of [CORPUS, generated]) {
      const pages = await readPages(dir);
      const reference = new MiniSearch<Page>({ fields: ['title', 'text'], idField: 'id' });
      reference.addAll(pages);
      const builder = new TextIndexBuilder();
      for (const p of pages) builder.add(p.title, p.text);
      const { data, postings } = builder.finish();
      const index = new TextIndex(data, postingsInMemory(postings));
      const words = pages.flatMap((p) => p.title.split(/\s+/)).filter(Boolean);
      const queries = ['DSCOVR orbit Lagrange point', 'chandra x-ray', 'Obervatory lagrang', 'espresso, crema!', 'STS-93 crew', 'the of and', '', '...'];
      for (let i = 0; i < 120; i++)
        queries.push(`${words[(i * 7) % words.length]} ${words[(i * 13 + 5) % words.length]!.slice(0, 5)} ${i % 3 ? words[(i * 3) % words.length] : 'zzqx'}`);
      for (const q of queries) {
        const expected = reference.search(q, { boost: { title: 2 }, fuzzy: 0.15, prefix: (term) => term.length > 3 });
        const got = await index.search(q, Infinity);
        assert.equal(got.length, expected.length, `${q}: number of pages`);
        got.forEach((g, i) => {
          const e = expected[i]!;
          assert.ok(Math.abs(g.score - e.score) <= 1e-9 * e.score, `${q}: score of result ${i}`);
          // Pages with equal scores may come in either order.
          if (pages[g.page]!.id !== e.id)
            assert.ok(Math.abs(expected.find((x) => x.id === pages[g.page]!.id)!.score - g.score) <= 1e-9 * g.score, `${q}: result ${i}`);
        });
      }
    }
  });

  it('opening reads no pages: a broken line is told at the first search, then at every open from the stored index', async () => {
    const dir = path.join(tmp.dir, 'lazy');
    const indexDir = path.join(tmp.dir, 'lazy-index');
    await writeTextCorpus(dir, 300, 5);
    await fs.appendFile(path.join(dir, 'pages.jsonl'), '{"id": "broken", \n');
    const told: LineProblem[] = [];
    const first = await LocalCorpus.open(dir, { indexDir, onProblems: (p) => told.push(...p) });
    assert.equal(told.length, 0, 'nothing is parsed at open');
    assert.deepEqual(await indexFiles(indexDir), []);
    const hits = await first.textSearch.search('kalo misa', { signal, topK: 3 });
    assert.equal(hits.results.length, 3);
    assert.deepEqual(
      told.map((p) => p.line),
      [301],
    );
    const [file] = await indexFiles(indexDir);
    assert.match(file!, /^pages-[0-9a-f]{64}\.gidx$/);
    const stored = await fs.stat(path.join(indexDir, file!));

    const again: LineProblem[] = [];
    const second = await LocalCorpus.open(dir, { indexDir, onProblems: (p) => again.push(...p) });
    assert.deepEqual(again, told, 'told at open, from the index');
    assert.equal(second.id, first.id);
    assert.deepEqual((await second.textSearch.search('kalo misa', { signal, topK: 3 })).results, hits.results);
    assert.equal(again.length, 1, 'and only once');
    const after = await fs.stat(path.join(indexDir, file!));
    assert.equal(after.ino, stored.ino, 'loaded, not rebuilt');
    assert.equal(after.mtimeMs, stored.mtimeMs);
  });

  it('a changed corpus gets a new id and a new index, and the old index goes', async () => {
    const dir = path.join(tmp.dir, 'changing');
    const indexDir = path.join(tmp.dir, 'changing-index');
    await writeTextCorpus(dir, 200, 6);
    const before = await LocalCorpus.open(dir, { indexDir });
    assert.equal((await before.textSearch.search('zebra crossing', { signal, topK: 3 })).results.length, 0);
    const [old] = await indexFiles(indexDir);
    await fs.appendFile(
      path.join(dir, 'pages.jsonl'),
      JSON.stringify({ id: 'z', title: 'Zebra crossing', url: 'u/z', text: 'Black and white stripes.' }) + '\n',
    );
    const changed = await LocalCorpus.open(dir, { indexDir });
    assert.notEqual(changed.id, before.id);
    assert.equal((await changed.textSearch.search('zebra crossing', { signal, topK: 3 })).results[0]!.title, 'Zebra crossing');
    const now = await indexFiles(indexDir);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], old);
  });

  it('a corrupt, truncated or foreign index file is ignored and rebuilt, also when damaged after it loaded', async () => {
    const dir = path.join(tmp.dir, 'damaged');
    const indexDir = path.join(tmp.dir, 'damaged-index');
    await writeTextCorpus(dir, 400, 7);
    const query = async (q: string) => (await (await LocalCorpus.open(dir, { indexDir })).textSearch.search(q, { signal, topK: 5 })).results;
    const good = await query('kalo misa');
    const [name] = await indexFiles(indexDir);
    const file = path.join(indexDir, name!);
    const pristine = await fs.readFile(file);
    const header = JSON.parse(pristine.subarray(12, 12 + pristine.readUInt32LE(8)).toString('utf8')) as {
      sections: Record<string, { offset: number; length: number }>;
    };
    const spoilt = (section: string) => {
      const { offset, length } = header.sections[section]!;
      const bytes = Buffer.from(pristine);
      for (let i = offset; i < offset + length; i++) bytes[i]! ^= 0x5a;
      return bytes;
    };
    const damage = async (bytes: Buffer) => {
      await fs.writeFile(file, bytes);
      assert.deepEqual(await query('kalo misa'), good);
      assert.ok((await fs.readFile(file)).equals(pristine), 'rebuilt, byte for byte');
    };
    await damage(spoilt('termStarts'));
    await damage(spoilt('offsets'));
    await damage(spoilt('postings'));
    await damage(pristine.subarray(0, Math.floor(pristine.length / 2)));
    await damage(Buffer.from('GOGINDEX\u00ff\u00ff\u00ff\u00ff{not json'));
    await damage(Buffer.alloc(0));

    // Damaged in place while a corpus is open, after its index loaded: noticed when the bad part is read.
    const open = await LocalCorpus.open(dir, { indexDir });
    assert.deepEqual((await open.textSearch.search('kalo misa', { signal, topK: 5 })).results, good);
    const handle = await fs.open(file, 'r+');
    const { offset, length } = header.sections.postings!;
    await handle.write(Buffer.alloc(length, 0xee), 0, length, offset);
    await handle.close();
    assert.deepEqual((await open.textSearch.search('kalo misa', { signal, topK: 5 })).results, good);
    assert.ok((await fs.readFile(file)).equals(pristine), 'rebuilt');
  });
});
