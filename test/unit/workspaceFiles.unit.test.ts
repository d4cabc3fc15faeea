// Files that arrive with a cloned workspace, beyond run folders and the search cache: the
// dataset images kept in the cache (a link there would send a photo from elsewhere on this
// machine to the model), review queue files (a link out, a named pipe that never ends).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readQueueFile } from '../../src/review/queueFile';
import { startReplayServer } from '../../src/model/replayServer';
import { benchArgs, writeBenchmark } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('files that come with a workspace are not followed out of it', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-workspace-files-');
  after(tmp.cleanup);

  it('gog bench: dataset images in the cache that are links to a photo elsewhere are replaced by the dataset’s own bytes, never sent', async () => {
    buildOnce();
    const fx = await writeBenchmark('simplevqa', path.join(tmp.dir, 'data'), 3, undefined, ['direct']);
    const server = await startReplayServer(fx.recordings);
    try {
      // Where a clean run keeps them: their names.
      const clean = path.join(tmp.dir, 'clean-cache');
      const first = await gog(['bench', ...benchArgs(fx, server.url, path.join(tmp.dir, 'run-1'), clean)], { cwd: tmp.dir });
      assert.equal(first.code, 0, first.stderr);
      const names = await fs.readdir(path.join(clean, 'dataset-images'));
      assert.ok(names.length > 0);
      // A cloned cache: the same names, each a link to someone's private photo.
      const privatePhoto = path.join(tmp.dir, 'private', 'me.png');
      await fs.mkdir(path.dirname(privatePhoto));
      await fs.copyFile(photo('coffee.png'), privatePhoto);
      const before = await fs.readFile(privatePhoto);
      const cache = path.join(tmp.dir, 'cloned-cache');
      await fs.mkdir(path.join(cache, 'dataset-images'), { recursive: true });
      for (const n of names) await fs.symlink(privatePhoto, path.join(cache, 'dataset-images', n));
      const out = path.join(tmp.dir, 'run-2');
      const run = await gog(['bench', ...benchArgs(fx, server.url, out, cache)], { cwd: tmp.dir });
      assert.equal(run.code, 0, run.stderr);
      for (const sample of await fs.readdir(path.join(out, 'samples'))) {
        const dir = path.join(out, 'samples', sample);
        const image = (await fs.readdir(dir)).find((n) => n.startsWith('image.'))!;
        const bytes = await fs.readFile(path.join(dir, image));
        assert.notEqual(sha(bytes), sha(before), `${sample} ran on the private photo`);
        assert.ok(names.includes(`bytes-${sha(bytes)}`), `${sample} ran on the dataset's own image`);
      }
      for (const n of names) assert.ok((await fs.lstat(path.join(cache, 'dataset-images', n))).isFile(), `${n} is the cache's own file now`);
      assert.ok((await fs.readFile(privatePhoto)).equals(before), 'the photo the links pointed to is untouched');
    } finally {
      await server.close();
    }
  });

  it('a review queue file that is a named pipe or a link out of its folder is refused at once, in one line', async () => {
    const queues = path.join(tmp.dir, 'q', '.gog', 'queues');
    await fs.mkdir(queues, { recursive: true });
    const fifo = path.join(queues, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readQueueFile(fifo), /^Error: the queue file pipe\.json is a named pipe \(FIFO\), not a regular file$/);
    await fs.writeFile(path.join(tmp.dir, 'elsewhere.json'), JSON.stringify(['/etc/secret.jsonl']));
    await fs.symlink(path.join(tmp.dir, 'elsewhere.json'), path.join(queues, 'link.json'));
    await assert.rejects(readQueueFile(path.join(queues, 'link.json')), /^Error: the queue file link\.json links to a file outside the queue folder$/);
  });
});
