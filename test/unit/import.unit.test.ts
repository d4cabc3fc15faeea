// Import of peers' data: broken records are listed by position and skipped, the rest
// imports; images come only from data URLs or files inside the data's folder, decoded and
// encoded again; evidence is read back from each dialect's words or kept as free text.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { FolderTaken } from '../../src/data/emptyFolder';
import { importRuns } from '../../src/data/import/importRuns';
import { photo, tempDir } from '../helpers/fixtures';

const tmp = tempDir();

async function jpegDataUrl(width = 96, height = 64): Promise<string> {
  const bytes = await sharp(photo('chelsea.png')).resize(width, height, { fit: 'fill' }).jpeg().toBuffer();
  return `data:image/jpeg;base64,${bytes.toString('base64')}`;
}

function chat(image: string, ...rest: object[]): object {
  return {
    messages: [
      {
        role: 'system',
        content: 'You answer questions. Give the box in coordinates relative to the image, scaled 0 to 1000 on each axis. You have at most 4 turns.',
      },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: image } },
          { type: 'text', text: 'Question: Whose cat is this?' },
        ],
      },
      ...rest,
    ],
  };
}

describe('import', function () {
  this.timeout(30_000);
  after(tmp.cleanup);

  it('lists broken records by line and skips them; the rest imports, images only from data URLs or files inside the folder', async () => {
    const dir = path.join(tmp.dir, 'chats');
    await fs.mkdir(path.join(dir, 'img'), { recursive: true });
    await sharp(photo('rocket.jpg'))
      .resize(80, 60)
      .png()
      .toFile(path.join(dir, 'img', 'q.png'));
    await fs.writeFile(path.join(tmp.dir, 'outside.jpg'), Buffer.from(await sharp(photo('rocket.jpg')).resize(8, 8).jpeg().toBuffer()));
    const url = await jpegDataUrl();
    const answer = { role: 'assistant', content: '<think>A cat.</think><answer>Chelsea</answer>' };
    const lines = [
      JSON.stringify(chat(url, answer)),
      '{"messages": [',
      JSON.stringify({ messages: [{ role: 'user', content: 'no image here' }, answer] }),
      JSON.stringify(chat('../outside.jpg', answer)),
      JSON.stringify(chat('https://example.org/cat.jpg', answer)),
      JSON.stringify(chat('data:image/jpeg;base64,bm90IGFuIGltYWdl', answer)),
      '',
      JSON.stringify(chat('img/q.png', answer)),
      JSON.stringify(chat(url)),
    ];
    const file = path.join(dir, 'log.jsonl');
    await fs.writeFile(file, lines.join('\n'));
    const warnings: string[] = [];
    const result = await importRuns({ file, format: 'openai-chat', out: path.join(tmp.dir, 'out'), cwd: tmp.dir }, { onWarning: (w) => warnings.push(w) });
    assert.equal(result.imported, 2);
    assert.deepEqual(
      result.skipped.map((s) => s.position),
      ['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 9'],
    );
    const why = result.skipped.map((s) => s.message);
    assert.match(why[0]!, /^not valid JSON/);
    assert.equal(why[1], 'the first user message holds no image');
    assert.equal(why[2], `the image ../outside.jpg lies outside ${dir}, the folder of the data; not read`);
    assert.equal(why[3], 'the image is a web address (https://example.org/cat.jpg); import never downloads: put the file beside the data and give its path');
    assert.match(why[4]!, /^the image: .*not a readable image/);
    assert.equal(why[5], 'no assistant message');
    assert.equal(warnings.length, 6);
    // Images are pixels encoded afresh: a PNG comes in as the JPEG the run keeps.
    const png = await readTrajectory(result.trajectories[1]!);
    assert.equal(png.header!.image.format, 'jpeg');
    assert.deepEqual([png.header!.image.sent.width, png.header!.image.sent.height], [80, 60]);
    const meta = await sharp(path.join(path.dirname(result.trajectories[1]!), 'images', 'sent.jpg')).metadata();
    assert.equal(meta.format, 'jpeg');
    // The instructions said 0–1000 boxes and 4 turns.
    assert.equal(png.header!.model.boxFormat, 'rel-1000');
    assert.equal(png.header!.agent.maxTurns, 4);
  });

  it('reads tool replies, tool errors, tag-dialect errors and free text back as the evidence the model saw', async () => {
    const url = await jpegDataUrl();
    const thumb = await jpegDataUrl(32, 24);
    const call = (id: string, name: string, args: object) => ({
      role: 'assistant',
      content: null,
      tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
    });
    const records = [
      chat(
        url,
        call('c1', 'image_search', { region: [100, 100, 600, 900] }),
        {
          role: 'tool',
          tool_call_id: 'c1',
          content: JSON.stringify({ searched: 'x', results: [{ rank: 1, title: 'Chelsea', url: 'https://a', snippet: 's' }] }),
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Images of the search results above, by rank:' },
            { type: 'text', text: '1.' },
            { type: 'image_url', image_url: { url: thumb } },
          ],
        },
        call('c2', 'text_search', { query: 'chelsea cat' }),
        { role: 'tool', tool_call_id: 'c2', content: JSON.stringify({ searched: '"chelsea cat"', error: 'Serper: 429 too many requests' }) },
        call('c3', 'text_search', { query: 'skimage chelsea' }),
        { role: 'tool', tool_call_id: 'c3', content: 'Top hit: scikit-image sample data, a cat named Chelsea.' },
        call('c4', 'answer', { text: 'Chelsea' }),
      ),
      chat(
        url,
        { role: 'assistant', content: '<think>q</think><text_search>chelsea cat</text_search>' },
        {
          role: 'user',
          content:
            'Searched results: <information>[Text Search Results] There is an error encountered in performing search on "chelsea cat": timed out after 30 s</information>\nOriginal user\'s question: Whose cat is this?\n…',
        },
        { role: 'assistant', content: '<answer>Chelsea</answer>' },
      ),
    ];
    const file = path.join(tmp.dir, 'evidence.jsonl');
    await fs.writeFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const result = await importRuns({ file, format: 'openai-chat', out: path.join(tmp.dir, 'evidence'), cwd: tmp.dir });
    assert.equal(result.imported, 2, JSON.stringify(result.skipped));
    const tools = await readTrajectory(result.trajectories[0]!);
    assert.equal(tools.header!.model.dialect, 'tool-calls');
    const obs = tools.events.filter((e) => e.type === 'observation');
    assert.equal(obs.length, 3);
    assert.ok(obs[0]!.type === 'observation' && obs[0]!.results[0]!.title === 'Chelsea' && obs[0]!.results[0]!.thumbnail === 'images/s1-img-r1.jpg');
    assert.ok(obs[1]!.type === 'observation' && obs[1]!.error === 'Serper: 429 too many requests' && obs[1]!.results.length === 0);
    assert.ok(obs[2]!.type === 'observation' && obs[2]!.results[0]!.snippet === 'Top hit: scikit-image sample data, a cat named Chelsea.');
    const gaze = tools.events.find((e) => e.type === 'action' && e.action.kind === 'image_search');
    assert.ok(gaze?.type === 'action' && gaze.action.kind === 'image_search');
    assert.deepEqual(gaze.action.box?.model, [100, 100, 600, 900]);
    assert.deepEqual(gaze.action.box?.original, [9, 6, 58, 58]);
    const cropMeta = await sharp(path.join(path.dirname(result.trajectories[0]!), gaze.action.crop!)).metadata();
    assert.deepEqual([cropMeta.width, cropMeta.height], [49, 52]);
    const final = tools.events.at(-1);
    assert.ok(final?.type === 'final' && final.answer === 'Chelsea' && final.turns === 4);

    const tagged = await readTrajectory(result.trajectories[1]!);
    const err = tagged.events.find((e) => e.type === 'observation');
    assert.ok(err?.type === 'observation');
    assert.equal(err.error, 'timed out after 30 s');
  });

  it('refuses an output folder that holds anything, and a file that is not records, writing nothing', async () => {
    const out = path.join(tmp.dir, 'taken');
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, 'keep.txt'), 'x');
    const file = path.join(tmp.dir, 'one.jsonl');
    await fs.writeFile(file, JSON.stringify(chat(await jpegDataUrl(), { role: 'assistant', content: '<answer>x</answer>' })) + '\n');
    await assert.rejects(importRuns({ file, format: 'openai-chat', out, cwd: tmp.dir }), FolderTaken);
    assert.deepEqual(await fs.readdir(out), ['keep.txt']);
    const array = path.join(tmp.dir, 'broken.json');
    await fs.writeFile(array, '[{"a": 1},');
    await assert.rejects(importRuns({ file: array, format: 'mmsearch-r1', out: path.join(tmp.dir, 'never'), cwd: tmp.dir }), /is not valid JSON/);
    await assert.rejects(fs.stat(path.join(tmp.dir, 'never')));
  });
});
