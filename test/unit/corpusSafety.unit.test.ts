// The local corpus reads nothing outside its folder and nothing that is not a regular
// file, and tells the user, by line, about every page or image it leaves out. Real files,
// real symbolic links, real FIFOs, real bytes.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { LineProblem } from '../../src/core/jsonl';
import type { EncodedImage } from '../../src/core/ports';
import { startReplayServer } from '../../src/model/replayServer';
import { QUERY_DEFAULTS, QueryError, runQuery } from '../../src/run/runQuery';
import { CorpusError, LocalCorpus } from '../../src/search/localCorpus';
import { MAX_PAGES_BYTES } from '../../src/search/corpusFiles';
import { photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';

const signal = new AbortController().signal;

async function jpeg(file: string): Promise<EncodedImage> {
  const { data, info } = await sharp(file).jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, mime: 'image/jpeg' };
}

const page = (id: string, image?: string) =>
  JSON.stringify({ id, title: `page ${id}`, url: `u/${id}`, text: `The text of page ${id}.`, ...(image ? { image } : {}) });

describe('local corpus: what it may read', function () {
  this.timeout(20_000);
  const tmp = tempDir();
  after(tmp.cleanup);

  it('refuses page images that link outside the folder or are not regular files, by line and name, and loads the rest', async () => {
    const outside = path.join(tmp.dir, 'outside');
    const dir = path.join(tmp.dir, 'links');
    await fs.mkdir(outside);
    await fs.mkdir(path.join(dir, 'img', 'folder'), { recursive: true });
    await fs.copyFile(photo('chelsea.png'), path.join(dir, 'img', 'cat.png'));
    await fs.copyFile(photo('chelsea.png'), path.join(outside, 'cat.png'));
    await fs.symlink('/etc/passwd', path.join(dir, 'passwd.jpg'));
    await fs.symlink(path.join(outside, 'cat.png'), path.join(dir, 'outside-cat.png'));
    await fs.symlink('../../outside/cat.png', path.join(dir, 'img', 'relative-outside.png'));
    await fs.symlink('img/cat.png', path.join(dir, 'inside-link.png'));
    await fs.symlink('loop.png', path.join(dir, 'loop.png'));
    execFileSync('mkfifo', [path.join(dir, 'img', 'pipe.jpg')]);
    const lines = [
      page('cat', 'img/cat.png'),
      page('passwd', 'passwd.jpg'),
      page('outside', 'outside-cat.png'),
      page('relative', 'img/relative-outside.png'),
      page('folder', 'img/folder'),
      page('pipe', 'img/pipe.jpg'),
      page('alias', 'inside-link.png'),
      page('loop', 'loop.png'),
    ];
    await fs.writeFile(path.join(dir, 'pages.jsonl'), lines.join('\n') + '\n');

    const reported: LineProblem[] = [];
    const c = await LocalCorpus.open(dir, { onProblems: (p) => reported.push(...p) });
    const { pages, images, problems } = await c.load();
    const expected = [
      '2: image "passwd.jpg" links outside the corpus folder',
      '3: image "outside-cat.png" links outside the corpus folder',
      '4: image "img/relative-outside.png" links outside the corpus folder',
      '5: image "img/folder" is a folder, not an image file',
      '6: image "img/pipe.jpg" is a named pipe (FIFO), not an image file',
      '8: image "loop.png" is a loop of symbolic links',
    ];
    assert.deepEqual(
      problems.map((p) => `${p.line}: ${p.message}`),
      expected,
    );
    assert.deepEqual(
      reported.map((p) => `${p.line}: ${p.message}`),
      expected,
      'each told once, as found',
    );
    // Every page still loads for text search; only the two images inside the folder are searched.
    assert.equal(pages, 8);
    assert.equal(images, 2);
    const out = await c.imageSearch.search(await jpeg(photo('chelsea.png')), { signal, topK: 5 });
    assert.deepEqual(out.results.map((r) => r.title).sort(), ['page alias', 'page cat']);
  });

  it('reports an image that cannot be decoded by its line, when the first image search meets it', async () => {
    const dir = path.join(tmp.dir, 'undecodable');
    await fs.mkdir(dir);
    await fs.copyFile(photo('coffee.png'), path.join(dir, 'coffee.png'));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not an image at all\n');
    await fs.symlink('notes.txt', path.join(dir, 'notes.jpg'));
    const whole = await fs.readFile(photo('rocket.jpg'));
    await fs.writeFile(path.join(dir, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length / 3)));
    await fs.writeFile(path.join(dir, 'pages.jsonl'), [page('coffee', 'coffee.png'), page('notes', 'notes.jpg'), page('cut', 'truncated.jpg')].join('\n'));

    const reported: LineProblem[] = [];
    const c = await LocalCorpus.open(dir, { onProblems: (p) => reported.push(...p) });
    assert.equal(reported.length, 0, 'nothing is known to be wrong until the images are decoded');
    const out = await c.imageSearch.search(await jpeg(photo('coffee.png')), { signal, topK: 5 });
    assert.equal(out.results[0]!.title, 'page coffee');
    assert.deepEqual(
      reported.map((p) => p.line),
      [2, 3],
    );
    assert.match(reported[0]!.message, /^image "notes\.jpg" could not be decoded \(corrupt or truncated\?\): /);
    assert.match(reported[1]!.message, /^image "truncated\.jpg" could not be decoded \(corrupt or truncated\?\): /);
  });

  it('tells the user of a run about an image found broken during the run', async () => {
    const dir = path.join(tmp.dir, 'run-corpus');
    await fs.mkdir(dir);
    await fs.copyFile(photo('rocket.jpg'), path.join(dir, 'rocket.jpg'));
    await fs.writeFile(path.join(dir, 'empty.jpg'), '');
    await fs.writeFile(path.join(dir, 'pages.jsonl'), [page('rocket', 'rocket.jpg'), page('empty', 'empty.jpg')].join('\n'));
    const rec = recording('What is this?', ['<search><img></search>', '<answer>a rocket</answer>']);
    const server = await startReplayServer([rec]);
    const notices: string[] = [];
    try {
      const outcome = await runQuery(
        {
          ...QUERY_DEFAULTS,
          image: photo('rocket.jpg'),
          question: rec.question,
          endpoint: server.url,
          model: rec.model,
          corpusDir: dir,
          runDir: path.join(tmp.dir, 'run'),
        },
        { onNotice: (m) => notices.push(m) },
      );
      assert.equal(outcome.stopReason, 'answered');
    } finally {
      await server.close();
    }
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0]!, /pages\.jsonl:2: image "empty\.jpg" could not be decoded .*\(skipped; the rest of the corpus loaded\)$/);
  });

  it('reports lines that are not UTF-8 by number instead of loading them garbled', async () => {
    const dir = path.join(tmp.dir, 'latin1');
    await fs.mkdir(dir);
    const bad = Buffer.concat([Buffer.from('{"id": "cafe", "title": "Caf'), Buffer.from([0xff, 0xfe]), Buffer.from('", "url": "u", "text": "Espresso bar."}')]);
    await fs.writeFile(path.join(dir, 'pages.jsonl'), Buffer.concat([Buffer.from(page('a') + '\n'), bad, Buffer.from('\n' + page('b') + '\n')]));
    const c = await LocalCorpus.open(dir);
    const { pages, problems } = await c.load();
    assert.deepEqual(problems, [{ line: 2, message: 'not valid UTF-8 (bytes 0xff 0xfe at byte 29 of the line)' }]);
    assert.equal(pages, 2);
    assert.deepEqual(
      (await c.textSearch.search('text of page', { signal, topK: 5 })).results.map((r) => r.title),
      ['page a', 'page b'],
    );
    assert.equal((await c.textSearch.search('espresso', { signal, topK: 5 })).results.length, 0);
  });

  it('refuses a pages.jsonl that is a FIFO, a folder, a link out of the folder or over the size limit, without reading it', async () => {
    const expectRefused = async (name: string, make: (file: string) => Promise<void>, message: RegExp) => {
      const dir = path.join(tmp.dir, name);
      await fs.mkdir(dir);
      await make(path.join(dir, 'pages.jsonl'));
      const t0 = Date.now();
      await assert.rejects(LocalCorpus.open(dir), (e: unknown) => e instanceof CorpusError && message.test(e.message));
      assert.ok(Date.now() - t0 < 2000, `${name}: refused at once`);
    };
    await expectRefused('fifo', async (f) => void execFileSync('mkfifo', [f]), /pages\.jsonl is a named pipe \(FIFO\), not a file of pages$/);
    await expectRefused('folder', (f) => fs.mkdir(f), /pages\.jsonl is a folder, not a file of pages$/);
    await expectRefused('escape', (f) => fs.symlink(path.join(tmp.dir, 'latin1', 'pages.jsonl'), f), /pages\.jsonl links outside the corpus folder$/);
    // A sparse file: its size is real, its blocks are not written.
    await expectRefused(
      'huge',
      async (f) => {
        await fs.writeFile(f, page('a') + '\n');
        await fs.truncate(f, MAX_PAGES_BYTES + 1);
      },
      /pages\.jsonl is 2\.0 GB, over the 2\.0 GB a corpus may hold; split it into several corpus folders$/,
    );
    await assert.rejects(LocalCorpus.open(path.join(tmp.dir, 'nowhere')), /the corpus folder .*nowhere does not exist/);
  });

  it('a corpus the run cannot use stops the run before it starts', async () => {
    const dir = path.join(tmp.dir, 'fifo-run');
    await fs.mkdir(dir);
    execFileSync('mkfifo', [path.join(dir, 'pages.jsonl')]);
    await assert.rejects(
      runQuery({
        ...QUERY_DEFAULTS,
        image: photo('rocket.jpg'),
        question: 'q',
        endpoint: 'http://127.0.0.1:9/v1',
        model: 'm',
        corpusDir: dir,
        runDir: path.join(tmp.dir, 'never'),
      }),
      (e: unknown) => e instanceof QueryError && /named pipe/.test(e.message),
    );
    await assert.rejects(fs.stat(path.join(tmp.dir, 'never')));
  });
});
