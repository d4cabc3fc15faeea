// gog bench scores every benchmark by its own measure as well as EM and F1: each results line
// carries scores.official and officialMetric, summary.json and the --json line the headline
// as the benchmark's script aggregates it, and "right" (the failure cause) follows it. Peers'
// files are read whole: DynVQA's NaN, InfoSeek's OVEN images through id2image.jsonl,
// SimpleVQA's JSON files that hold one record a line.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readBenchRun } from '../../src/data/benchRun';
import type { SampleResult } from '../../src/data/results';
import { infoSeekSummary } from '../../src/data/scoring/infoseek';
import type { OfficialSummary } from '../../src/data/scoring/metrics';
import { dynVqaTokenRecall } from '../../src/data/scoring/tokenRecall';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { startImageServer, writeBenchmark } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';
import { completion, startWireServer } from '../helpers/wireServer';

const answer = (text: string) => `<think>I know this.</think><answer>${text}</answer>`;

describe('gog bench: each benchmark by its own measure', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-official-');
  let images: Awaited<ReturnType<typeof startImageServer>>;
  let jpeg: Buffer;

  before(async () => {
    images = await startImageServer();
    jpeg = await sharp(photo('rocket.jpg')).resize({ width: 128 }).jpeg().toBuffer();
  });
  after(async () => {
    await images.close();
    tmp.cleanup();
  });

  async function bench(file: string, model: ReplayServer, name: string, extra: string[] = []) {
    const out = path.join(tmp.dir, `run-${name}`);
    const run = await gog([
      'bench',
      file,
      '--endpoint',
      model.url,
      '--out',
      out,
      '--cache',
      path.join(tmp.dir, `cache-${name}`),
      '--allow-private-urls',
      '--json',
      ...extra,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout.trim().split('\n').pop()!) as { official: Record<string, { metric: string; score: number; samples: number }> };
    const read = await readBenchRun(out);
    return { json, ...read, out };
  }

  it('DynVQA: token recall over the answers as the file holds them; a NaN field loads; "In 1969" is right though EM gives 0', async () => {
    const rows = [
      { question_id: 'en1', question: 'When did humans first land on the Moon? [d1]', answer: [1969, '1969年'], said: 'In 1969' },
      { question_id: 'en2', question: 'Which band recorded this album? [d2]', answer: ['The Beatles'], said: 'Beatles' },
      { question_id: 'en3', question: 'Who won this award last year? [d3]', answer: [['梅西', 'Lionel Messi', 'Messi']], said: 'Lionel Messi' },
      { question_id: 'zh4', question: '人类于哪一年首次登陆月球？ [d4]', answer: ['1969年'], said: '1969年' },
      { question_id: 'en5', question: 'What is the current price? [d5]', answer: [15.49, '$15.49 per month'], said: 'It costs $15.49 a month.' },
    ];
    // Line 625 of DynVQA's English files: a bare NaN, which Python's json accepts.
    const lines = rows.map((r, i) =>
      (i === 2
        ? '{"image_url": IMG, "question": Q, "question_id": ID, "answer": A, "gloden_query": NaN}'
        : '{"image_url": IMG, "question": Q, "question_id": ID, "answer": A, "gloden_query": "x"}'
      )
        .replace('IMG', JSON.stringify(`${images.url}/img/rocket.jpg.jpg`))
        .replace('Q', JSON.stringify(r.question))
        .replace('ID', JSON.stringify(r.question_id))
        .replace('A', JSON.stringify(r.answer)),
    );
    const dir = path.join(tmp.dir, 'dynvqa');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'DynVQA_en.202410.jsonl');
    await fs.writeFile(file, lines.join('\n') + '\n');
    const model = await startReplayServer(rows.map((r) => recording(r.question, [answer(r.said)])));
    try {
      const { json, results, summary } = await bench(file, model, 'dynvqa');
      assert.equal(results.length, rows.length, 'the record with NaN loads');
      const mean = rows.reduce((s, r) => s + dynVqaTokenRecall(r.said, r.answer, r.question_id.startsWith('zh') ? 'zh' : 'en'), 0) / rows.length;
      for (const r of results) {
        const row = rows[r.index]!;
        assert.equal(r.scores.officialMetric, 'token-recall');
        assert.equal(r.scores.official, dynVqaTokenRecall(row.said, row.answer, row.question_id.startsWith('zh') ? 'zh' : 'en'));
      }
      const first = results.find((r) => r.index === 0)!;
      assert.deepEqual([first.scores.exactMatch, first.scores.official, first.cause], [0, 1, undefined], 'right by the official measure, though EM is 0');
      assert.deepEqual(summary.byBenchmark.dynvqa?.official, { metric: 'token-recall', score: mean, samples: rows.length });
      assert.deepEqual(json.official.dynvqa, { metric: 'token-recall', score: mean, samples: rows.length });
    } finally {
      await model.close();
    }
  });

  it('MMSearch: F1, with the text-only queries it cannot run counted as 0 in the headline', async () => {
    const fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'mmsearch'), 6);
    const model = await startReplayServer(fx.recordings);
    try {
      const { json, results, summary, meta } = await bench(fx.file, model, 'mmsearch');
      assert.deepEqual(meta.dataset.notRun, { mmsearch: 2 });
      const sum = results.reduce((s, r) => s + r.scores.official!, 0);
      for (const r of results) assert.equal(r.scores.officialMetric, 'f1');
      const official = summary.byBenchmark.mmsearch!.official as unknown as Required<Pick<OfficialSummary, 'score' | 'samples' | 'run'>>;
      assert.deepEqual([official.samples, official.run.samples], [8, 6]);
      assert.ok(Math.abs(official.score - sum / 8) < 1e-12 && Math.abs(official.run.score - sum / 6) < 1e-12);
      assert.equal(json.official.mmsearch!.samples, 8);
    } finally {
      await model.close();
    }
  });

  it('InfoSeek: numbers by range, images found through id2image.jsonl in --images, the two splits’ harmonic mean', async () => {
    const dir = path.join(tmp.dir, 'infoseek');
    const shards = path.join(tmp.dir, 'oven-images');
    await fs.mkdir(path.join(shards, '05'), { recursive: true });
    await fs.mkdir(dir, { recursive: true });
    const rows = [
      { id: 'q0', split: 'val_unseen_question', eval: [{ wikidata: 1.0, range: [0.9, 1.1] }], said: '1.05' },
      { id: 'q1', split: 'val_unseen_question', eval: [{ wikidata: 1.0, range: [0.9, 1.1] }], said: '10' },
      { id: 'q2', split: 'val_unseen_entity', eval: ['Eiffel Tower', 'Tour Eiffel'], said: 'the Eiffel tower.' },
      { id: 'q3', split: 'val_unseen_entity', eval: ['1889'], said: 'in 1889' },
    ];
    const map: string[] = [];
    const lines = rows.map((r, i) => {
      map.push(JSON.stringify({ image_id: `oven_0500${i}`, image_path: `/cluster/elsewhere/oven_images/05/oven_0500${i}.jpg` }));
      return JSON.stringify({
        data_id: r.id,
        image_id: `oven_0500${i}`,
        question: `A question about this image [${r.id}]`,
        answer: ['x'],
        answer_eval: r.eval,
        data_split: r.split,
      });
    });
    for (let i = 0; i < rows.length; i++) await fs.writeFile(path.join(shards, '05', `oven_0500${i}.jpg`), jpeg);
    await fs.writeFile(path.join(shards, 'id2image.jsonl'), map.join('\n') + '\n');
    const file = path.join(dir, 'infoseek_val.jsonl');
    await fs.writeFile(file, lines.join('\n') + '\n');
    const model = await startReplayServer(rows.map((r) => recording(`A question about this image [${r.id}]`, [answer(r.said)])));
    try {
      const { json, results, summary } = await bench(file, model, 'infoseek', ['--images', shards]);
      assert.equal(results.length, 4, 'every image found through the id map');
      const scores = [...results].sort((a, b) => a.index - b.index).map((r: SampleResult) => r.scores.official);
      assert.deepEqual(scores, [1, 0, 1, 0]);
      // "10" for 1.0 is out of its range; "in 1889" is not an exact match of "1889".
      const expected = infoSeekSummary(
        results.map((r) => ({ score: r.scores.official!, split: r.scores.officialGroup === 'unseen_question' ? 'unseen_question' : 'unseen_entity' })),
      );
      assert.equal(expected.final, 50);
      assert.equal(summary.byBenchmark.infoseek!.official!.score, 0.5);
      assert.deepEqual(json.official.infoseek, { metric: 'infoseek', score: 0.5, samples: 4 });
    } finally {
      await model.close();
    }
  });

  it('SimpleVQA (its JSON file of one record a line): graded by a judge as SimpleQA aggregates; without a judge, exact match says so', async () => {
    const dir = path.join(tmp.dir, 'simplevqa');
    await fs.mkdir(path.join(dir, 'images'), { recursive: true });
    await fs.writeFile(path.join(dir, 'images', 'a.jpg'), jpeg);
    const rows = [
      { q: 'What launched this spacecraft? [s0]', a: 'Falcon 9', said: 'A Falcon 9 rocket', grade: 'Correct' },
      { q: 'Where was it launched? [s1]', a: 'Cape Canaveral', said: 'Vandenberg', grade: 'Incorrect' },
      { q: 'In which year? [s2]', a: '2015', said: 'I do not know', grade: 'Not attempted' },
      { q: 'Which agency? [s3]', a: 'NOAA', said: 'NOAA', grade: 'Correct' },
    ];
    const file = path.join(dir, 'simpleVQA_final_modified.json');
    await fs.writeFile(
      file,
      rows
        .map((r, i) =>
          JSON.stringify({ data_id: 1012 + i, image: 'images/a.jpg', question: r.q, answer: r.a, vqa_category: 'x', image_description: 'a rocket' }),
        )
        .join('\n') + '\n',
    );
    const model = await startReplayServer(rows.map((r) => recording(r.q, [answer(r.said)])));
    const judge = await startWireServer((_req, res, body) => {
      const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content;
      const row = rows.find((r) => prompt.includes(r.q))!;
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion(`<judge>${row.grade}</judge><reason>graded</reason>`));
    }, 'judge-model');
    try {
      const judged = await bench(file, model, 'simplevqa-judged', ['--judge-endpoint', judge.url, '--judge-model', 'judge-model']);
      assert.equal(judged.results.length, 4, 'a .json file of JSON lines reads');
      for (const r of judged.results) assert.equal(r.scores.officialMetric, 'judge');
      const official = judged.summary.byBenchmark.simplevqa!.official as unknown as OfficialSummary;
      assert.equal(official.score, 0.5);
      assert.deepEqual(official.judge, {
        correct: 0.5,
        incorrect: 0.25,
        notAttempted: 0.25,
        correctGivenAttempted: 2 / 3,
        fScore: (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5),
      });
      // "A Falcon 9 rocket" is right by the judge (the official measure), not by exact match.
      const s0 = judged.results.find((r) => r.index === 0)!;
      assert.deepEqual([s0.scores.exactMatch, s0.scores.official], [0, 1]);

      const plain = await bench(file, model, 'simplevqa-plain');
      const fallback = plain.summary.byBenchmark.simplevqa!.official as unknown as OfficialSummary;
      assert.equal(fallback.metric, 'exact-match (no judge)');
      assert.equal(fallback.score, 0.25);
      assert.match(fallback.note ?? '', /needs an LLM judge/);
    } finally {
      await model.close();
      await judge.close();
    }
  });

  it('--scorer picks the measure for a file of our own mapping (exact match unless given)', async () => {
    const dir = path.join(tmp.dir, 'mapped');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'a.jpg'), jpeg);
    const file = path.join(dir, 'mine.jsonl');
    await fs.writeFile(file, JSON.stringify({ ask: 'Name the mission [m0]', truth: 'Deep Space Climate Observatory', pic: 'a.jpg' }) + '\n');
    const model = await startReplayServer([recording('Name the mission [m0]', [answer('the Climate Observatory')])]);
    try {
      const map = ['--map', 'question=ask,answer=truth,image=pic'];
      const em = await bench(file, model, 'mapped-em', map);
      assert.deepEqual([em.results[0]!.scores.officialMetric, em.results[0]!.scores.official], ['exact-match', 0]);
      const f1 = await bench(file, model, 'mapped-f1', [...map, '--scorer', 'f1']);
      assert.equal(f1.results[0]!.scores.officialMetric, 'f1');
      assert.ok(Math.abs(f1.results[0]!.scores.official! - 2 / 3) < 1e-12);
      const bad = await gog(['bench', file, ...map, '--scorer', 'bleu', '--endpoint', model.url, '--out', path.join(tmp.dir, 'mapped-bad')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--scorer takes one of exact-match, f1, token-recall, infoseek, judge; got "bleu"/);
    } finally {
      await model.close();
    }
  });
});
