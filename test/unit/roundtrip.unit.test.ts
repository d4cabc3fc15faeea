// Round trip: trajectory → export → import → the same steps, boxes and text. Over every
// recorded fixture as `gog demo` runs it (three dialects, gazes, glances, text searches, tool
// calls, an answer without search), annotated variants of them, and a run with turns the
// agent could not read. OpenAI chat JSONL goes out and comes back in; MMSearch-R1's dumped
// rollout shape comes in too.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { applyAnnotations } from '../../src/core/annotations';
import { stepsOf, type StepRecord } from '../../src/core/conversation';
import type { DialectId } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { exportTrainingData } from '../../src/data/export/exportTrainingData';
import { importRuns } from '../../src/data/import/importRuns';
import { startReplayServer } from '../../src/model/replayServer';
import { QUERY_DEFAULTS, runQuery } from '../../src/run/runQuery';
import { annotate, label } from '../helpers/annotate';
import { copyRun, demoRuns } from '../helpers/demoRuns';
import { CORPUS, photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';

/** What a step says, in the terms both sides share: the model's words, its action, what it was shown. */
async function stepView(s: StepRecord, dialect: DialectId, runDir: string): Promise<unknown> {
  const texts = s.reasoning.map((r) => r.text);
  const reasoning = dialect === 'tool-calls' ? texts.join('\n\n') : s.reasoning.map((r) => `${r.kind}: ${r.text}`);
  const a = s.action?.action;
  const action =
    a?.kind === 'image_search'
      ? { kind: a.kind, scope: a.scope, model: a.box?.model, sent: a.box?.sent.map((v) => Math.round(v * 1000) / 1000), crop: !!a.crop }
      : a;
  const obs = s.observation;
  const evidence = obs && {
    tool: obs.tool,
    error: obs.error,
    results: await Promise.all(
      obs.results.map(async (r) => ({
        rank: r.rank,
        title: r.title,
        url: r.url,
        shown: r.summary ?? r.snippet,
        thumbnail: r.thumbnail
          ? await sharp(path.join(runDir, r.thumbnail))
              .metadata()
              .then((m) => `${m.width}×${m.height}`)
          : undefined,
      })),
    ),
  };
  return { reasoning, action, evidence };
}

async function viewOf(trajectory: string): Promise<{ question: string; dialect: DialectId; answer: string | null; steps: unknown[] }> {
  const t = await readTrajectory(trajectory);
  assert.deepEqual(t.problems, [], trajectory);
  const corrected = applyAnnotations(t.header, t.events);
  const dialect = t.header!.model.dialect;
  const steps = await Promise.all(stepsOf(corrected).map((s) => stepView(s, dialect, path.dirname(trajectory))));
  const final = corrected.events.find((e) => e.type === 'final');
  return { question: t.header!.question, dialect, answer: final?.type === 'final' ? final.answer : null, steps };
}

describe('round trip: trajectory → export → import', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  after(tmp.cleanup);

  it('gives back the same steps, boxes and text for every recorded fixture, annotated variants and unreadable turns', async () => {
    const dir = path.join(tmp.dir, 'runs');
    const sources: string[] = [];
    for (const run of await demoRuns()) {
      const copy = await copyRun(run.name, dir);
      await annotate(copy.trajectory, label('accepted'));
      sources.push(copy.trajectory);
    }
    // Annotated: a dropped wrong gaze, a rewritten reflection, an inserted one, a corrected answer.
    const variants = path.join(tmp.dir, 'variants');
    const astronaut = await copyRun('1-astronaut-patch', variants);
    await annotate(
      astronaut.trajectory,
      { op: 'drop_step', target: 1 },
      { op: 'set_text', target: 'e6', text: 'The round patch on her chest names the mission.' },
      { op: 'insert_reflection', target: 3, kind: 'reflect', text: 'The patch is STS-93’s.' },
      { op: 'set_text', target: 'e15', text: 'The Chandra X-ray Observatory' },
      label('accepted'),
    );
    const cat = await copyRun('4-chelsea-name', variants);
    await annotate(cat.trajectory, { op: 'set_text', target: 'e2', text: 'A tabby on a blanket; the whole photo may be a known sample.' }, label('accepted'));
    const hubble = await copyRun('3-hubble-galaxies', variants);
    await annotate(hubble.trajectory, { op: 'insert_reflection', target: 2, kind: 'reason', text: 'The XDF is the field.' }, label('accepted'));
    sources.push(astronaut.trajectory, cat.trajectory, hubble.trajectory);
    // Turns the agent could not read, kept as recorded.
    const rec = recording('Where was this taken?', [
      'It is a rocket.',
      '<think>t</think><search><bbox>[500, 100, 100, 400]</bbox></search>',
      '<answer>Florida</answer>',
    ]);
    const server = await startReplayServer([rec]);
    try {
      const bad = await runQuery({
        ...QUERY_DEFAULTS,
        image: photo('rocket.jpg'),
        question: rec.question,
        endpoint: server.url,
        model: rec.model,
        corpusDir: CORPUS,
        cacheSearches: false,
        runDir: path.join(variants, 'unreadable'),
      });
      await annotate(bad.trajectory, label('accepted'));
      sources.push(bad.trajectory);
    } finally {
      await server.close();
    }

    const exported = await exportTrainingData({
      paths: [dir, variants],
      cwd: tmp.dir,
      format: 'openai',
      out: path.join(tmp.dir, 'export'),
      includeRejected: false,
    });
    assert.equal(exported.exported, sources.length);
    const imported = await importRuns({ file: exported.data, format: 'openai-chat', out: path.join(tmp.dir, 'imported'), cwd: tmp.dir });
    assert.deepEqual(imported.skipped, []);
    assert.equal(imported.imported, sources.length);
    // The export wrote the files in the order it found them; the import keeps that order.
    const order = (await fs.readFile(exported.manifest, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).trajectory as string);
    for (const [i, source] of order.entries()) {
      const before = await viewOf(source);
      const after = await viewOf(imported.trajectories[i]!);
      assert.deepEqual(after, before, source);
    }
    const views = await Promise.all(order.map(viewOf));
    assert.equal(views.find((v) => v.answer === 'The Chandra X-ray Observatory')?.steps.length, 3, 'the dropped step stays dropped');
  });

  it('reads MMSearch-R1’s dumped rollouts (decoded text, results inline, image beside the file): the same steps and text', async () => {
    const run = (await demoRuns()).find((r) => r.name === '3-hubble-galaxies')!;
    const t = await readTrajectory(run.trajectory);
    const steps = stepsOf(applyAnnotations(t.header, t.events));
    // As the trainer's val_result_N.json holds it: special tokens skipped, turns joined by "user"/"assistant" lines.
    const turns = steps.map((s) => s.turn!.raw);
    const rollout = `${turns[0]}\nuser\nSearched results: <information>[Image Search Results] The search on the whole image returned web pages whose main image resembles it, most relevant first:\n1. title: ${steps[0]!.observation!.results[0]!.title}\nurl: ${steps[0]!.observation!.results[0]!.url}\nsnippet: ${steps[0]!.observation!.results[0]!.snippet}</information>\nOriginal user's question: ${t.header!.question}\nReason about the results.\nassistant\n${turns[1]}`;
    const folder = path.join(tmp.dir, 'r1');
    await fs.mkdir(path.join(folder, 'imgs'), { recursive: true });
    await fs.copyFile(path.join(run.runDir, 'images', 'sent.jpg'), path.join(folder, 'imgs', 'q1.jpg'));
    const record = {
      step: 0,
      input_text: `system\nYou are a helpful assistant.\nuser\n…Here is the image and the question:\n ${t.header!.question}\nassistant\n`,
      output_text: rollout,
      score: 1,
      reward_model: { ground_truth: 'About 5,500', candidate_answers: '["5500", "5,500"]', style: 'rule' },
      image_url: 'imgs/q1.jpg',
    };
    const broken = {
      input_text: 'Here is the image and the question:\n What is this?\nassistant\n',
      output_text: '<reason>r</reason><answer>a</answer>',
      image_url: 'https://example.org/q.jpg',
    };
    const file = path.join(folder, 'val_result_0.json');
    await fs.writeFile(file, JSON.stringify([record, broken, { output_text: 3 }], null, 2));
    const warnings: string[] = [];
    const result = await importRuns({ file, format: 'mmsearch-r1', out: path.join(tmp.dir, 'r1-out'), cwd: tmp.dir }, { onWarning: (w) => warnings.push(w) });
    assert.equal(result.imported, 1);
    assert.deepEqual(
      result.skipped.map((s) => s.position),
      ['record 2', 'record 3'],
    );
    assert.match(result.skipped[0]!.message, /web address .*import never downloads/);
    assert.match(result.skipped[1]!.message, /^not an MMSearch-R1 rollout: output_text: /);
    const back = await readTrajectory(result.trajectories[0]!);
    assert.deepEqual(back.header!.gold, ['About 5,500', '5500', '5,500']);
    assert.equal(back.header!.question, t.header!.question);
    const view = await viewOf(result.trajectories[0]!);
    const original = await viewOf(run.trajectory);
    assert.deepEqual(
      view.steps.map((s) => (s as { reasoning: unknown; action: unknown }).reasoning),
      original.steps.map((s) => (s as { reasoning: unknown }).reasoning),
    );
    assert.deepEqual(
      view.steps.map((s) => (s as { action: unknown }).action),
      original.steps.map((s) => (s as { action: unknown }).action),
    );
    assert.equal(view.answer, 'About 5,500');
    const final = back.events.at(-1);
    assert.ok(final?.type === 'final');
    assert.deepEqual(final.score, { exactMatch: 1, f1: 1 });
  });
});
