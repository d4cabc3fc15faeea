// The local corpus' indexes: text ranking as MiniSearch ranked it, indexes built once and
// stored, loaded lazily, named by content, and never trusted when their file is damaged.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import MiniSearch from 'minisearch';
import { postingsInMemory, TextIndex, TextIndexBuilder } from '../../src/search/textIndex';
import { CORPUS, tempDir } from '../helpers/fixtures';
import { writeTextCorpus } from './corpusFixtures';

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
});
