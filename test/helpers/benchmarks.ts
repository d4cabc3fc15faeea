// Recorded benchmarks for tests: a dataset file in each published layout, built in a temp
// folder from the shared photographs (media/demo/images, made small) with questions about
// them, plus the scripted model turns for every sample, so a run is deterministic and its
// scores can be worked out by hand. A few broken records are mixed in where the layout has
// its known traps.
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { parquetWriteBuffer } from 'hyparquet-writer';
import sharp from 'sharp';
import { f1Score } from '../../src/core/scoring';
import { resultSchema, type SampleResult } from '../../src/data/results';
import { dynVqaTokenRecall } from '../../src/data/scoring/tokenRecall';
import type { Recording } from '../../src/model/replayServer';
import { photo, PHOTOS } from './fixtures';
import { recording } from './recordings';

export const LAYOUT_NAMES = ['verl', 'simplevqa', 'mmsearch', 'dynvqa', 'livevqa', 'infoseek', 'livevqa-webwatcher', 'mapped'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

const FACTS: Record<(typeof PHOTOS)[number], { question: string; gold: string[] }> = {
  'astronaut.png': { question: 'Who is the astronaut in this portrait?', gold: ['Eileen Collins', 'Eileen Marie Collins'] },
  'chelsea.png': { question: "What is this cat's name?", gold: ['Chelsea'] },
  'coffee.png': { question: 'What drink is in the cup?', gold: ['coffee', 'espresso'] },
  'hubble_deep_field.jpg': { question: 'Which telescope took this picture?', gold: ['Hubble Space Telescope', 'Hubble'] },
  'rocket.jpg': { question: 'Which spacecraft did this rocket launch?', gold: ['DSCOVR', 'Deep Space Climate Observatory'] },
};

/** What the scripted model does on sample i, and so what its result must say. */
export type Script = 'direct' | 'text' | 'glance' | 'gaze-wrong' | 'parse-then-answer' | 'text-wrong';
export const SCRIPTS: readonly Script[] = ['direct', 'text', 'glance', 'gaze-wrong', 'parse-then-answer', 'text-wrong'];

export interface Expected {
  question: string;
  gold: string[];
  script: Script;
  answer: string;
  exactMatch: 0 | 1;
  turns: number;
  searches: { text: number; glance: number; gaze: number };
  parseErrors: number;
  category?: string;
  /** The benchmark's own measure of the answer, where it is not exact match (MMSearch's F1, DynVQA's token recall). */
  official?: number;
}

export interface BenchFixture {
  layout: LayoutName;
  file: string;
  /** `--map` for the mapped layout. */
  map?: string;
  /** The samples the file must yield, in order. */
  expected: Expected[];
  /** How many records must be listed as broken. */
  broken: number;
  recordings: Recording[];
}

/** The model's turns for one sample: the script, in the gog dialect, with pixel boxes. */
function turnsFor(script: Script, gold: string[], i: number): { turns: string[]; answer: string } {
  const right = gold[i % gold.length]!;
  switch (script) {
    case 'direct':
      return { turns: [`<think>I know this.</think><answer>${right}</answer>`], answer: right };
    case 'text':
      return {
        turns: ['<think>Let me check.</think><text_search>STS-93 commander</text_search>', `<think>Found it.</think><answer>${right}</answer>`],
        answer: right,
      };
    case 'glance':
      return {
        turns: ['<think>Search the image.</think><search><img></search>', `<reflect>That matches.</reflect><answer>The ${right}</answer>`],
        answer: `The ${right}`,
      };
    case 'gaze-wrong':
      return {
        turns: ['<think>Look closer.</think><search><bbox>[10, 10, 120, 120]</bbox></search>', '<reflect>Wrong place.</reflect><answer>Jupiter</answer>'],
        answer: 'Jupiter',
      };
    case 'parse-then-answer':
      return { turns: ['I think it is something.', `<think>Format.</think><answer>${right}!</answer>`], answer: `${right}!` };
    case 'text-wrong':
      return {
        turns: ['<think>Search.</think><text_search>Hubble deep field</text_search>', '<think>Guess.</think><answer>a galaxy far away</answer>'],
        answer: 'a galaxy far away',
      };
  }
}

function expectedFor(i: number, scripts: readonly Script[] = SCRIPTS): Expected & { photo: (typeof PHOTOS)[number]; turnsText: string[] } {
  const p = PHOTOS[i % PHOTOS.length]!;
  const fact = FACTS[p];
  const script = scripts[i % scripts.length]!;
  const { turns, answer } = turnsFor(script, fact.gold, i);
  return {
    photo: p,
    question: `${fact.question} [#${i}]`,
    gold: fact.gold,
    script,
    answer,
    exactMatch: script === 'gaze-wrong' || script === 'text-wrong' ? 0 : 1,
    turns: turns.length,
    searches: { text: script.startsWith('text') ? 1 : 0, glance: script === 'glance' ? 1 : 0, gaze: script === 'gaze-wrong' ? 1 : 0 },
    parseErrors: script === 'parse-then-answer' ? 1 : 0,
    turnsText: turns,
  };
}

/** The photographs at 256 pixels wide, as JPEG: small enough for many samples, real pixels all the same. */
async function smallPhotos(): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const p of PHOTOS) out.set(p, await sharp(photo(p)).resize({ width: 256 }).jpeg({ quality: 80 }).toBuffer());
  return out;
}

/** Serves the small photographs at /img/<name>.jpg on 127.0.0.1 (DynVQA's images are URLs). */
export async function startImageServer(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const photos = await smallPhotos();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/img\/([\w.]+)\.jpg$/.exec(req.url ?? '');
    const body = m ? photos.get(m[1]!) : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const utf8 = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;

/**
 * Writes the layout's dataset (n samples, plus its broken records) under `dir`. `imageBase`
 * is where startImageServer serves, for the layouts whose images are URLs.
 */
export async function writeBenchmark(
  layout: LayoutName,
  dir: string,
  n: number,
  imageBase = 'http://127.0.0.1:9',
  scripts: readonly Script[] = SCRIPTS,
): Promise<BenchFixture> {
  await fs.mkdir(dir, { recursive: true });
  const photos = await smallPhotos();
  const rows = Array.from({ length: n }, (_, i) => expectedFor(i, scripts));
  const recordings = (list: ReturnType<typeof expectedFor>[]) => list.map((e) => recording(e.question, e.turnsText));
  const strip = (list: ReturnType<typeof expectedFor>[]): Expected[] => list.map(({ photo: _p, turnsText: _t, ...e }) => e);
  switch (layout) {
    case 'verl': {
      // MMSearch-R1's veRL layout: prompt list<struct>, images list<struct<bytes, path>>, reward_model struct with candidate_answers as a JSON string.
      const data = rows.map((e, i) => ({
        prompt: [{ content: e.question, role: 'user' }],
        images: [{ bytes: new Uint8Array(photos.get(e.photo)!), path: null }],
        reward_model: { candidate_answers: JSON.stringify(e.gold.slice(1)), ground_truth: e.gold[0]!, style: 'rule' },
        data_source: 'mmsearch_r1/infoseek_train_split',
        data_id: `infoseek_train_${i}`,
      }));
      // Broken: a record with no messages, and one with an empty ground truth and no candidates.
      data.splice(5, 0, { ...data[0]!, prompt: [], data_id: 'broken_1' });
      data.splice(9, 0, { ...data[0]!, reward_model: { candidate_answers: '[]', ground_truth: '', style: 'rule' }, data_id: 'broken_2' });
      const buf = parquetWriteBuffer({
        schema: [
          { name: 'root', num_children: 5 },
          { name: 'prompt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
          utf8('content'),
          utf8('role'),
          { name: 'images', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
          { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
          utf8('path'),
          { name: 'reward_model', repetition_type: 'OPTIONAL', num_children: 3 },
          utf8('candidate_answers'),
          utf8('ground_truth'),
          utf8('style'),
          utf8('data_source'),
          utf8('data_id'),
        ],
        columnData: ['prompt', 'images', 'reward_model', 'data_source', 'data_id'].map((name) => ({ name, data: data.map((d) => d[name as keyof typeof d]) })),
      });
      const file = path.join(dir, 'mmsearch_r1_sub.parquet');
      await fs.writeFile(file, new Uint8Array(buf));
      return { layout, file, expected: strip(rows), broken: 2, recordings: recordings(rows) };
    }
    case 'simplevqa': {
      const cats = ['Nature', 'Science', 'Daily life'];
      const list = rows.map((e, i) => ({ ...e, category: cats[i % 3]! }));
      const data: Record<string, unknown>[] = list.map((e, i) => ({
        data_id: i,
        image: photos.get(e.photo)!.toString('base64'),
        image_description: 'a photograph',
        language: 'EN',
        question: e.question,
        answer: e.gold[0],
        original_category: 'x',
        source: 'test',
        atomic_question: '',
        atomic_fact: '',
        vqa_category: e.category,
      }));
      data.splice(3, 0, { ...data[0], data_id: 999, answer: '' });
      const file = path.join(dir, 'simplevqa.json');
      await fs.writeFile(file, JSON.stringify(data));
      // SimpleVQA has one gold answer: the alias answers are wrong there.
      const expected = strip(list.map((e, i) => ({ ...e, gold: [e.gold[0]!], category: cats[i % 3]! }))).map((e, i) => {
        const right = e.script !== 'gaze-wrong' && e.script !== 'text-wrong' && i % FACTS[PHOTOS[i % 5]!].gold.length === 0;
        const exactMatch: 0 | 1 = right ? 1 : 0;
        return { ...e, exactMatch };
      });
      return { layout, file, expected, broken: 1, recordings: recordings(list) };
    }
    case 'mmsearch': {
      const areas = ['news', 'knowledge'];
      const data = rows.map((e, i) => ({
        sample_id: `mm${i}`,
        query: e.question,
        query_image: { bytes: new Uint8Array(photos.get(e.photo)!), path: null },
        gt_answer: e.gold[0]!,
        alternative_gt_answers: e.gold.slice(1),
        area: areas[i % 2]!,
        subfield: 'x',
      }));
      // Text-only queries: no image.
      data.splice(2, 0, { ...data[0]!, sample_id: 'text_only_1', query_image: null as never });
      data.splice(7, 0, { ...data[0]!, sample_id: 'text_only_2', query_image: null as never });
      const buf = parquetWriteBuffer({
        schema: [
          { name: 'root', num_children: 7 },
          utf8('sample_id'),
          utf8('query'),
          { name: 'query_image', repetition_type: 'OPTIONAL', num_children: 2 },
          { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
          utf8('path'),
          utf8('gt_answer'),
          { name: 'alternative_gt_answers', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          utf8('element'),
          utf8('area'),
          utf8('subfield'),
        ],
        columnData: ['sample_id', 'query', 'query_image', 'gt_answer', 'alternative_gt_answers', 'area', 'subfield'].map((name) => ({
          name,
          data: data.map((d) => d[name as keyof typeof d]),
        })),
      });
      const file = path.join(dir, 'end2end.parquet');
      await fs.writeFile(file, new Uint8Array(buf));
      return {
        layout,
        file,
        expected: strip(rows.map((e, i) => ({ ...e, category: areas[i % 2]!, official: f1Score(e.answer, e.gold) }))),
        broken: 2,
        recordings: recordings(rows),
      };
    }
    case 'dynvqa': {
      // DynVQA's traps: answers as lists, lists of lists and numbers; null answers; the gloden_query typo; a broken line.
      const lines = rows.map((e, i) =>
        JSON.stringify({
          image_url: `${imageBase}/img/${e.photo}.jpg`,
          question: e.question,
          question_id: `${i % 4 === 3 ? 'zh' : 'en'}${i}`,
          answer: i % 3 === 0 ? [e.gold] : e.gold,
          gloden_query: 'x',
        }),
      );
      lines.splice(
        4,
        0,
        JSON.stringify({ image_url: `${imageBase}/img/coffee.png.jpg`, question: 'null answer', question_id: 'en900', answer: null, golden_query: 'x' }),
      );
      lines.splice(8, 0, '{"image_url": "broken');
      const file = path.join(dir, 'DynVQA_en.202502.jsonl');
      await fs.writeFile(file, lines.join('\n') + '\n');
      return {
        layout,
        file,
        expected: strip(
          rows.map((e, i) => ({
            ...e,
            category: i % 4 === 3 ? 'zh' : 'en',
            official: dynVqaTokenRecall(e.answer, i % 3 === 0 ? [e.gold] : e.gold, i % 4 === 3 ? 'zh' : 'en'),
          })),
        ),
        broken: 2,
        recordings: recordings(rows),
      };
    }
    case 'livevqa': {
      // Two questions per item, its image in News_imgs/.
      await fs.mkdir(path.join(dir, 'News_imgs'), { recursive: true });
      for (const [name, bytes] of photos) await fs.writeFile(path.join(dir, 'News_imgs', `${name}.jpg`), bytes);
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i += 2) {
        const a = rows[i]!;
        const b = rows[i + 1] ?? rows[i]!;
        const qa = (e: typeof a) => ({
          question: e.question,
          question_type: 'x',
          options: ['A. x', 'B. y'],
          Ground_Truth: 'B',
          Ground_Truth_List: e.gold,
          img_path: `${a.photo}.jpg`,
        });
        items.push({ id: `item${i}`, img_path: `${a.photo}.jpg`, level1_qa: qa(a), level2_qa: qa(b), source: 'CNN', time: '2025-01-01' });
      }
      // Broken: an image that escapes the folder, and one that is not there.
      await fs.writeFile(path.join(dir, '..', 'outside.jpg'), photos.get('coffee.png')!);
      items.splice(1, 0, { id: 'escape', img_path: '../outside.jpg', level1_qa: { question: 'q', Ground_Truth_List: ['a'] }, source: 'x' });
      items.splice(3, 0, { id: 'missing', img_path: 'nope.jpg', level1_qa: { question: 'q', Ground_Truth_List: ['a'] }, source: 'x' });
      const file = path.join(dir, 'benchmark.json');
      await fs.writeFile(file, JSON.stringify(items, null, 1));
      // Images are shared by an item's two questions: the first question's photo.
      const expected = rows.map((e, i) => ({ ...e, category: i % 2 ? 'level2' : 'level1' }));
      return { layout, file, expected: strip(expected), broken: 2, recordings: recordings(rows) };
    }
    case 'infoseek': {
      const lines: string[] = [];
      for (const [i, e] of rows.entries()) {
        await fs.writeFile(path.join(dir, `oven_${i}.jpg`), photos.get(e.photo)!);
        lines.push(
          JSON.stringify({
            data_id: `infoseek_val_${i}`,
            image_id: `oven_${i}`,
            question: e.question,
            answer: [e.gold[0]],
            answer_eng: e.gold,
            data_split: i % 2 ? 'val_unseen_entity' : 'val_unseen_question',
          }),
        );
      }
      lines.splice(6, 0, JSON.stringify({ data_id: 'infoseek_val_x', image_id: 'oven_missing', question: 'q', answer: ['a'] }));
      const file = path.join(dir, 'infoseek_val.jsonl');
      await fs.writeFile(file, lines.join('\n'));
      return {
        layout,
        file,
        expected: strip(rows.map((e, i) => ({ ...e, category: i % 2 ? 'unseen_entity' : 'unseen_question' }))),
        broken: 1,
        recordings: recordings(rows),
      };
    }
    case 'livevqa-webwatcher': {
      await fs.mkdir(path.join(dir, 'images'), { recursive: true });
      for (const [name, bytes] of photos) await fs.writeFile(path.join(dir, 'images', `${name}.jpg`), bytes);
      const lines = rows.map((e, i) => JSON.stringify({ prompt: e.question, file_path: `images/${e.photo}.jpg`, answers: e.gold, question_id: `lv${i}` }));
      lines.splice(1, 0, JSON.stringify({ prompt: 'q', file_path: '/etc/passwd', answers: ['a'], question_id: 'abs' }));
      const file = path.join(dir, 'livevqa.jsonl');
      await fs.writeFile(file, lines.join('\n'));
      return { layout, file, expected: strip(rows), broken: 1, recordings: recordings(rows) };
    }
    case 'mapped': {
      // A layout of nobody's: the user maps it.
      await fs.mkdir(path.join(dir, 'pics'), { recursive: true });
      for (const [name, bytes] of photos) await fs.writeFile(path.join(dir, 'pics', `${name}.jpg`), bytes);
      const lines = rows.map((e, i) =>
        JSON.stringify({
          qid: `q${i}`,
          ask: { text: e.question },
          truth: { main: e.gold[0], more: e.gold.slice(1) },
          pic: `pics/${e.photo}.jpg`,
          topic: 'space',
        }),
      );
      lines.splice(2, 0, JSON.stringify({ qid: 'no-truth', ask: { text: 'q' }, pic: 'pics/coffee.png.jpg' }));
      const file = path.join(dir, 'custom.jsonl');
      await fs.writeFile(file, lines.join('\n'));
      return {
        layout,
        file,
        map: 'question=ask.text,answer=truth.main|truth.more,image=pic,id=qid,category=topic',
        expected: strip(rows.map((e) => ({ ...e, category: 'space' }))),
        broken: 1,
        recordings: recordings(rows),
      };
    }
  }
}

/** Samples per recorded benchmark in the end-to-end tests. */
export const SAMPLES = 50;

export function benchArgs(fx: BenchFixture, endpoint: string, out: string, cache: string, extra: string[] = []): string[] {
  return [fx.file, '--endpoint', endpoint, '--out', out, '--cache', cache, '--allow-private-urls', ...(fx.map ? ['--map', fx.map] : []), ...extra];
}

/** Every result matches what the script made the model do on its sample. */
export function checkResults(results: readonly SampleResult[], fx: BenchFixture, except: readonly number[] = []): void {
  const indexes = fx.expected.map((_, i) => i).filter((i) => !except.includes(i));
  const sorted = [...results].sort((a, b) => a.index - b.index);
  // Each sample once, none missing (but those excepted).
  assert.deepEqual(
    sorted.map((r) => r.index),
    indexes,
  );
  for (const r of sorted) {
    const i = r.index;
    const e = fx.expected[i]!;
    assert.ok(resultSchema.safeParse(r).success);
    assert.equal(r.question, e.question);
    assert.deepEqual(r.gold, e.gold);
    assert.equal(r.stopReason, 'answered', `${i}: ${r.error ?? ''}`);
    assert.equal(r.answer, e.answer, `${i} (${e.script})`);
    assert.equal(r.scores.exactMatch, e.exactMatch, `${i} (${e.script}): ${r.answer} vs ${e.gold.join('|')}`);
    assert.equal(r.turns, e.turns);
    assert.deepEqual({ text: r.searches.text, glance: r.searches.glance, gaze: r.searches.gaze }, e.searches, `${i} (${e.script})`);
    assert.equal(r.parseErrors, e.parseErrors);
    if (e.category) assert.equal(r.category, e.category);
    assert.equal(r.gazes.length, e.searches.gaze);
    for (const g of r.gazes) for (const v of g) assert.ok(v >= 0 && v <= 1);
    // Right is the benchmark's own measure (exact match where that is the measure).
    const official = e.official ?? e.exactMatch;
    assert.ok(Math.abs(r.scores.official! - official) < 1e-12, `${i} (${e.script}): official ${r.scores.official} vs ${official}`);
    assert.equal(r.cause, official >= 0.5 ? undefined : 'wrong_answer', `${i} (${e.script})`);
  }
}
