// A search cache that arrived with a cloned workspace, full of links to a victim folder
// outside it (a provider folder, a shard, an entry, the search folder, nested links, the
// index folder): `gog cache clear`, eviction under --cache-mb and `gog cache stats` never
// reach through them. The victim's files all survive; the cache's own entries go.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { providerFolder, SearchCache } from '../../src/search/cache';
import { gog } from '../helpers/cli';
import { DEMO, photo, tempDir } from '../helpers/fixtures';
import { snapshot } from '../helpers/tree';
import { buildOnce } from '../helpers/build';

const ROCKET_Q = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';
/** A name shaped like an entry's: 64 hex digits starting with `prefix` (two digits). */
const hex = (prefix: string, n = 0) => `${prefix}${String(n).padStart(62, '0')}`;

/** A victim folder of files shaped like cache entries (and not), nested, some large. */
async function makeVictim(dir: string, bytes = 2000): Promise<void> {
  const files: Record<string, string> = {
    'notes.txt': 'my notes',
    [`ab/${hex('ab', 1)}.json`]: 'a'.repeat(bytes),
    [`cd/${hex('cd', 2)}.json`]: 'c'.repeat(bytes),
    [`deep/ef/${hex('ef', 3)}.json`]: 'e'.repeat(bytes),
    [`nested/${hex('12', 4)}.json`]: 'n'.repeat(bytes),
    [`nested/inner/${hex('34', 5)}.json`]: 'i'.repeat(bytes),
    [`p-00000000/ab/${hex('ab', 6)}.json`]: 'p'.repeat(bytes),
  };
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  // Old: the first to go if eviction counted them.
  const old = new Date('2001-01-01T00:00:00Z');
  for (const rel of Object.keys(files)) await fs.utimes(path.join(dir, rel), old, old);
}

/** The cache's own entries, stored the way a search stores them. */
async function ownEntries(cacheDir: string, n: number, snippetBytes = 100): Promise<string[]> {
  const cache = new SearchCache(cacheDir, 1e12);
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = SearchCache.key({ provider: 'web', tool: 'text', topK: 1, query: `q${i}` });
    await cache.put('web', key, [{ rank: 1, title: `t${i}`, url: 'https://example.org/', snippet: 's'.repeat(snippetBytes), provider: 'web' }]);
    files.push(path.join(cacheDir, 'search', providerFolder('web'), key.slice(0, 2), `${key}.json`));
  }
  return files;
}

/** Links into the victim at every level of the cache's layout. */
async function plantLinks(cacheDir: string, victim: string): Promise<void> {
  const search = path.join(cacheDir, 'search');
  await fs.mkdir(path.join(search, 'p-00000000', hex('ef').slice(0, 2)), { recursive: true });
  await fs.symlink(victim, path.join(search, 'x-12345678')); // a provider folder
  await fs.symlink(path.join(victim, 'cd'), path.join(search, 'p-00000000', 'cd')); // a shard
  await fs.symlink(path.join(victim, 'nested'), path.join(search, 'p-00000000', '12')); // a shard, nested further
  await fs.symlink(path.join(victim, 'deep', 'ef', `${hex('ef', 3)}.json`), path.join(search, 'p-00000000', 'ef', `${hex('ef', 3)}.json`)); // an entry
  await fs.symlink(path.join(victim, 'deep'), path.join(search, 'p-00000000', 'ef', 'deeper')); // a folder inside a shard
}

describe('the search cache never deletes, counts or writes through a link', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-cache-links-');
  after(tmp.cleanup);
  before(() => buildOnce());

  it('gog cache clear: links at every level into a victim folder; the victim survives whole, the own entries go', async () => {
    const victim = path.join(tmp.dir, 'victim');
    const cache = path.join(tmp.dir, 'c');
    await makeVictim(victim);
    const own = await ownEntries(cache, 3);
    await plantLinks(cache, victim);
    const before = await snapshot(victim);

    const stats = await gog(['cache', 'stats', '--cache', cache, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).entries, 3, `only the cache's own entries are counted: ${stats.stdout}`);

    const run = await gog(['cache', 'clear', '--cache', cache, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await snapshot(victim), before, 'nothing in the victim folder changed');
    for (const f of own) assert.ok(!existsSync(f), `${f} was removed`);
    assert.equal(JSON.parse(run.stdout).removed, 3);
    assert.equal(JSON.parse((await gog(['cache', 'stats', '--cache', cache, '--json'])).stdout).entries, 0);
  });

  it('gog cache clear: a search folder that is itself a link (c/search -> victim) is not gone into', async () => {
    const victim = path.join(tmp.dir, 'victim2');
    const cache = path.join(tmp.dir, 'c2');
    await makeVictim(victim);
    await fs.mkdir(cache);
    await fs.symlink(victim, path.join(cache, 'search'));
    const before = await snapshot(victim);
    const run = await gog(['cache', 'clear', '--cache', cache, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).removed, 0);
    assert.deepEqual(await snapshot(victim), before);
  });

  it('a cache folder that is itself a link (a cache kept on another disk) is the cache: its own entries go, links inside it are still not followed', async () => {
    const victim = path.join(tmp.dir, 'victim3');
    const real = path.join(tmp.dir, 'real-cache');
    const cache = path.join(tmp.dir, 'c3');
    await makeVictim(victim);
    const own = await ownEntries(real, 2);
    await plantLinks(real, victim);
    await fs.symlink(real, cache);
    const before = await snapshot(victim);
    const run = await gog(['cache', 'clear', '--cache', cache, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).removed, 2);
    for (const f of own) assert.ok(!existsSync(f));
    assert.deepEqual(await snapshot(victim), before);
  });

  describe('eviction under --cache-mb and the index folder, in a real gog ask', () => {
    let server: ReplayServer;
    before(async () => {
      const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
      server = await startReplayServer([rec]);
    });
    after(() => server.close());
    const ask = (cache: string, out: string, ...extra: string[]) =>
      gog([
        'ask',
        '--image',
        photo('rocket.jpg'),
        '--question',
        ROCKET_Q,
        '--endpoint',
        server.url,
        '--box-format',
        'rel-1000',
        '--cache',
        cache,
        '--out',
        out,
        ...extra,
      ]);

    it('evicts only the cache’s own entries: large victim files linked in are neither counted nor deleted', async () => {
      const victim = path.join(tmp.dir, 'victim4');
      const cache = path.join(tmp.dir, 'c4');
      await makeVictim(victim, 600 * 1024); // each victim file alone is over half the cap
      const own = await ownEntries(cache, 4, 300 * 1024); // 1.2 MB of the cache's own: over the 1 MB cap
      const old = new Date('2002-01-01T00:00:00Z');
      for (const f of own) await fs.utimes(f, old, old);
      await plantLinks(cache, victim);
      const before = await snapshot(victim);
      const run = await ask(cache, path.join(tmp.dir, 'run4'), '--cache-mb', '1');
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await snapshot(victim), before, 'nothing in the victim folder changed');
      const left = own.filter((f) => existsSync(f)).length;
      assert.ok(left < own.length, 'the cache’s own oldest entries were evicted');
      const stats = JSON.parse((await gog(['cache', 'stats', '--cache', cache, '--json'])).stdout) as { bytes: number };
      assert.ok(stats.bytes <= 1024 * 1024, `${stats.bytes} bytes left, under the cap`);
    });

    it('an index folder that is a link (c/index -> elsewhere) is not written into: the run indexes in memory and says so', async () => {
      const victim = path.join(tmp.dir, 'victim-index');
      const cache = path.join(tmp.dir, 'c5');
      await fs.mkdir(path.join(victim, 'corpora'), { recursive: true });
      await fs.writeFile(path.join(victim, 'corpora', 'keep.json'), '{"mine":true}');
      await fs.mkdir(cache);
      await fs.symlink(victim, path.join(cache, 'index'));
      const before = await snapshot(victim);
      const run = await ask(cache, path.join(tmp.dir, 'run5'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^gog: warning: the index folder .*c5\/index is a link or not a folder; not used \(this run indexes the corpus in memory\)$/m);
      assert.deepEqual(await snapshot(victim), before, 'no index written through the link');
    });
  });
});
