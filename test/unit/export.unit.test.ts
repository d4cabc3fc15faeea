// Training data export: every sample checked against its format's published rules (LLaMA-Factory's
// placeholder count and role alternation, OpenAI's message rules), read back from the files
// written; which trajectories go in (accepted, corrected, not stale) and which stay out.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { findTrajectories } from '../../src/data/export/findTrajectories';
import { ExportError, exportTrainingData, type ExportOptions } from '../../src/data/export/exportTrainingData';
import { datasetInfoProblems, shareGptProblems } from '../../src/data/export/llamaFactorySchema';
import { openAiLineProblems } from '../../src/data/export/openaiSchema';
import { annotate, label } from '../helpers/annotate';
import { copyRun, demoRuns } from '../helpers/demoRuns';
import { tempDir } from '../helpers/fixtures';

const NAMES = ['1-astronaut-patch', '2-rocket-dscovr', '3-hubble-galaxies', '4-chelsea-name', '5-coffee-no-search'];

async function labelledRuns(into: string): Promise<string> {
  const dir = path.join(into, 'runs');
  for (const name of NAMES) {
    const run = await copyRun(name, dir);
    await annotate(run.trajectory, label('accepted'));
  }
  return dir;
}

function options(tmp: string, paths: string[], format: ExportOptions['format'], out: string, extra: Partial<ExportOptions> = {}): ExportOptions {
  return { paths, cwd: tmp, format, out, includeRejected: false, ...extra };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('training data export', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  let runs: string;
  before(async () => {
    await demoRuns();
    runs = await labelledRuns(tmp.dir);
  });
  after(tmp.cleanup);

  describe('the format checks', () => {
    const good = {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: '<image>q' },
        { role: 'function_call', content: '{"name":"image_search","arguments":{}}' },
        { role: 'observation', content: 'r <image>' },
        { role: 'assistant', content: 'a' },
      ],
      images: ['a.jpg', 'a.jpg'],
      tools: '[{"name":"image_search","description":"d","parameters":{}}]',
    };

    it('LLaMA-Factory: placeholders match the images, roles alternate, the count is even, calls are JSON, files exist', async () => {
      await fs.writeFile(path.join(tmp.dir, 'a.jpg'), 'x');
      assert.deepEqual(shareGptProblems(good, tmp.dir), []);
      const bad = (change: object) => shareGptProblems({ ...good, ...change }, tmp.dir);
      assert.match(bad({ images: ['a.jpg'] }).join(), /2 <image> placeholders for 1 images/);
      assert.match(bad({ messages: [good.messages[1], good.messages[1], good.messages[4], good.messages[4]] }).join(), /message 2 has role "user"/);
      assert.match(bad({ messages: good.messages.slice(0, 4), images: ['a.jpg', 'a.jpg'] }).join(), /3 messages after the system prompt: an even number/);
      assert.match(bad({ images: ['a.jpg', 'b.jpg'] }).join(), /image b\.jpg does not exist/);
      assert.match(
        bad({ messages: [good.messages[1], { role: 'function_call', content: 'image_search()' }], images: ['a.jpg'] }).join(),
        /function_call\) is not JSON/,
      );
      assert.match(bad({ tools: '{"name":1}' }).join(), /tools is not a JSON list/);
      assert.match(bad({ messages: [{ role: 'user', content: '<video>' }, good.messages[4]], images: [] }).join(), /1 <video> placeholders for no videos/);
      assert.deepEqual(datasetInfoProblems({ file_name: 'x.json', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: {} }).length > 0, true);
    });

    it('OpenAI: images only from users as URLs or JPEG/PNG/WEBP data URLs, tool replies to calls made, text-only tool messages; limits are warnings', () => {
      const img = { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } };
      const line = {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }, img] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'text_search', arguments: '{"query":"x"}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'r' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'c2', type: 'function', function: { name: 'answer', arguments: '{"text":"y"}' } }] },
        ],
        tools: [
          { type: 'function', function: { name: 'text_search', parameters: {} } },
          { type: 'function', function: { name: 'answer', parameters: {} } },
        ],
      };
      assert.deepEqual(openAiLineProblems(line), { errors: [], warnings: [] });
      const errors = (change: (l: typeof line) => unknown) => openAiLineProblems(change(structuredClone(line))).errors.join();
      assert.match(
        errors((l) => ({ ...l, messages: [...l.messages.slice(0, 1), { role: 'assistant', content: [img] }] })),
        /not a fine-tuning line/,
      );
      assert.match(
        errors((l) => ({ ...l, messages: [l.messages[0], l.messages[2]] })),
        /answers tool call c1, which the assistant message before it did not make/,
      );
      assert.match(
        errors((l) => ({ ...l, messages: [...l.messages.slice(0, 2), l.messages[0]] })),
        /tool call\(s\) c1 were not answered/,
      );
      assert.match(
        errors((l) => ({
          ...l,
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/gif;base64,R0lG' } }] }, l.messages[3]],
        })),
        /image\/gif images are not taken/,
      );
      assert.match(
        errors((l) => ({ ...l, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }, l.messages[3]] })),
        /neither an http\(s\) URL nor a base64 data URL/,
      );
      assert.match(
        errors((l) => ({ ...l, messages: [l.messages[0]] })),
        /no assistant message/,
      );
      assert.match(
        errors((l) => ({ ...l, messages: [{ role: 'tool', tool_call_id: 'c1', content: [img] }] })),
        /not a fine-tuning line/,
      );
      const many = openAiLineProblems({ ...line, messages: [{ role: 'user', content: Array(11).fill(img) }, line.messages[3]] });
      assert.deepEqual(many.errors, []);
      assert.match(many.warnings.join(), /11 images, more than the 10 per example/);
    });
  });

  it('llama-factory: one JSON file whose every sample loads (placeholders = images, files beside it), and the dataset_info.json entry', async () => {
    const out = path.join(tmp.dir, 'lf');
    const result = await exportTrainingData(options(tmp.dir, [runs], 'llama-factory', out));
    assert.deepEqual({ found: result.found, exported: result.exported, warnings: result.warnings }, { found: 5, exported: 5, warnings: 0 });
    const samples = JSON.parse(await fs.readFile(result.data, 'utf8'));
    assert.equal(samples.length, 5);
    for (const s of samples) assert.deepEqual(shareGptProblems(s, out), []);
    const info = JSON.parse(await fs.readFile(result.datasetInfo!, 'utf8'));
    assert.deepEqual(Object.keys(info), ['gog_sft']);
    assert.deepEqual(datasetInfoProblems(info.gog_sft), []);
    assert.equal(info.gog_sft.file_name, 'gog_sft.json');
    // The first image is the image as sent, byte for byte; evidence thumbnails follow in order.
    const astronaut = samples[0];
    const run = path.join(runs, '1-astronaut-patch');
    assert.deepEqual(await fs.readFile(path.join(out, astronaut.images[0])), await fs.readFile(path.join(run, 'images', 'sent.jpg')));
    assert.equal(astronaut.images.length, 11);
    assert.deepEqual(await fs.readFile(path.join(out, astronaut.images[1])), await fs.readFile(path.join(run, 'images', 's1-img-r1.jpg')));
    // Model turns are learned, evidence is not: assistant turns are the model's raw text, evidence a user turn.
    assert.deepEqual(
      astronaut.messages.map((m: { role: string }) => m.role),
      ['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'],
    );
    assert.match(astronaut.messages[3].content, /^Searched results: <information>\[Image Search Results\]/);
    // Tool calls: function_call turns, the replies and their thumbnails one observation, the tools declared.
    const cat = samples[3];
    assert.deepEqual(
      cat.messages.map((m: { role: string }) => m.role),
      ['system', 'user', 'function_call', 'observation', 'function_call'],
    );
    assert.deepEqual(JSON.parse(cat.messages[4].content), { name: 'answer', arguments: { text: 'Chelsea' } });
    assert.deepEqual(
      JSON.parse(cat.tools).map((t: { name: string }) => t.name),
      ['image_search', 'text_search', 'answer'],
    );
    // Crops are files too, named in the manifest beside the sample's other images.
    const manifest = lines(result.manifest).map((l) => JSON.parse(l));
    assert.deepEqual(
      manifest.map((m) => m.label),
      Array(5).fill('accepted'),
    );
    assert.equal(manifest[0].crops.length, 2);
    for (const c of manifest[0].crops) assert.ok(existsSync(path.join(out, c)));
    assert.deepEqual(await fs.readFile(path.join(out, manifest[0].crops[1])), await fs.readFile(path.join(run, 'images', 's2-crop.jpg')));
  });

  it('openai: one line a sample, images as data URLs of the exact files, tool calls with tool replies and the tools', async () => {
    const out = path.join(tmp.dir, 'oa');
    const warnings: string[] = [];
    const result = await exportTrainingData(options(tmp.dir, [runs], 'openai', out), { onWarning: (w) => warnings.push(w) });
    assert.equal(result.exported, 5);
    assert.equal(result.datasetInfo, undefined);
    const samples = lines(result.data).map((l) => JSON.parse(l));
    assert.equal(samples.length, 5);
    const checks = samples.map((s) => openAiLineProblems(s));
    for (const c of checks) assert.deepEqual(c.errors, []);
    // The astronaut run showed the model 11 images: more than OpenAI's guide allows in one example, so it says so.
    assert.deepEqual(
      checks.map((c) => c.warnings.length),
      [1, 0, 0, 0, 0],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /1-astronaut-patch.*11 images/);
    const sent = samples[0].messages[1].content[0].image_url.url as string;
    assert.equal(sent, `data:image/jpeg;base64,${(await fs.readFile(path.join(runs, '1-astronaut-patch', 'images', 'sent.jpg'))).toString('base64')}`);
    const cat = samples[3];
    assert.deepEqual(
      cat.messages.map((m: { role: string }) => m.role),
      ['system', 'user', 'assistant', 'tool', 'user', 'assistant'],
    );
    assert.equal(cat.messages[3].tool_call_id, cat.messages[2].tool_calls[0].id);
    assert.equal(cat.tools.length, 3);
    assert.equal(cat.parallel_tool_calls, false);
    assert.equal(samples[0].tools, undefined);
  });

  it('exports accepted, corrected trajectories only: dropped steps out, edits written in, stale, unlabelled and needs-fix left out', async () => {
    const dir = path.join(tmp.dir, 'mixed');
    const edited = await copyRun('1-astronaut-patch', dir);
    await annotate(
      edited.trajectory,
      { op: 'drop_step', target: 1 },
      { op: 'set_text', target: 'e6', text: 'The mission patch on her chest should name the flight.' },
      label('accepted'),
    );
    const stale = await copyRun('2-rocket-dscovr', dir);
    await annotate(stale.trajectory, { op: 'set_text', target: 'e7', text: 'DSCOVR halo orbit' }, label('accepted'));
    const unlabelled = await copyRun('3-hubble-galaxies', dir);
    void unlabelled;
    const fix = await copyRun('5-coffee-no-search', dir);
    await annotate(fix.trajectory, label('needs-fix'));
    const rejected = await copyRun('4-chelsea-name', dir);
    await annotate(rejected.trajectory, label('rejected'));

    const warnings: string[] = [];
    const result = await exportTrainingData(options(tmp.dir, [dir], 'llama-factory', path.join(tmp.dir, 'mixed-out')), { onWarning: (w) => warnings.push(w) });
    assert.equal(result.exported, 1);
    assert.deepEqual(result.skipped, { unlabeled: 1, 'needs-fix': 1, rejected: 1, conflict: 0, 'few-annotators': 0, stale: 1, failed: 0 });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /2-rocket-dscovr\/trajectory\.jsonl: skipped: it has stale evidence: step 2's search was corrected after its results came back; re-run it from that step \(gog rerun .* --from-step 2\)/,
    );
    const [sample] = JSON.parse(await fs.readFile(result.data, 'utf8'));
    assert.equal(sample.images.length, 6, 'the dropped gaze and its five thumbnails are gone');
    assert.equal(sample.messages.length, 7);
    assert.equal(
      sample.messages[2].content,
      '<reflect>The mission patch on her chest should name the flight.</reflect>\n<search><bbox>[128, 340, 210, 420]</bbox></search>',
    );
    assert.ok(!JSON.stringify(sample).includes('345, 0, 465, 285'));

    const withRejected = await exportTrainingData(options(tmp.dir, [dir], 'openai', path.join(tmp.dir, 'mixed-rejected'), { includeRejected: true }));
    assert.equal(withRejected.exported, 2);
    assert.deepEqual(
      lines(withRejected.manifest).map((l) => JSON.parse(l).label),
      ['accepted', 'rejected'],
    );
  });

  it('writes every turn in another dialect when asked, and skips a run that cannot be said in it', async () => {
    const warnings: string[] = [];
    const result = await exportTrainingData(options(tmp.dir, [runs], 'openai', path.join(tmp.dir, 'as-tools'), { dialect: 'tool-calls' }));
    assert.equal(result.exported, 5);
    const samples = lines(result.data).map((l) => JSON.parse(l));
    const astronaut = samples[0];
    assert.deepEqual(
      astronaut.messages
        .filter((m: { role: string }) => m.role === 'assistant')
        .map((m: { tool_calls: { function: { name: string; arguments: string } }[] }) => m.tool_calls[0]!.function.name),
      ['image_search', 'image_search', 'text_search', 'answer'],
    );
    for (const s of samples) assert.deepEqual(openAiLineProblems(s).errors, []);
    const r1 = await exportTrainingData(options(tmp.dir, [runs], 'llama-factory', path.join(tmp.dir, 'as-r1'), { dialect: 'mmsearch-r1' }), {
      onWarning: (w) => warnings.push(w),
    });
    assert.equal(r1.exported, 4);
    assert.equal(r1.skipped.failed, 1);
    assert.match(warnings.join('\n'), /1-astronaut-patch.*cannot be written in the mmsearch-r1 format: step 1: the mmsearch-r1 format has no region search/);
  });

  it('never reads an image through a link out of the run folder, and never writes over a folder that holds anything', async () => {
    const dir = path.join(tmp.dir, 'planted');
    const run = await copyRun('2-rocket-dscovr', dir);
    await annotate(run.trajectory, label('accepted'));
    const secret = path.join(tmp.dir, 'secret.jpg');
    await fs.writeFile(secret, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    await fs.rm(path.join(run.runDir, 'images', 's1-img-r2.jpg'));
    symlinkSync(secret, path.join(run.runDir, 'images', 's1-img-r2.jpg'));
    const warnings: string[] = [];
    const out = path.join(tmp.dir, 'planted-out');
    const result = await exportTrainingData(options(tmp.dir, [dir], 'openai', out), { onWarning: (w) => warnings.push(w) });
    assert.deepEqual({ exported: result.exported, failed: result.skipped.failed }, { exported: 0, failed: 1 });
    assert.match(warnings.join(), /images\/s1-img-r2\.jpg links to a file outside the run folder/);
    assert.ok(!(await fs.readdir(out)).includes('images') || (await fs.readdir(path.join(out, 'images'))).length === 0, 'no half-copied images left');

    const taken = path.join(tmp.dir, 'taken');
    await fs.mkdir(taken);
    await fs.writeFile(path.join(taken, 'gog_sft.json'), 'mine');
    await assert.rejects(exportTrainingData(options(tmp.dir, [runs], 'llama-factory', taken)), (e: Error) => {
      assert.ok(e instanceof ExportError);
      assert.match(e.message, /taken is not empty \(gog_sft\.json\); an export goes into a new or empty folder and never writes over files/);
      return true;
    });
    assert.equal(await fs.readFile(path.join(taken, 'gog_sft.json'), 'utf8'), 'mine');
  });

  it('finds trajectories in folders recursively, following links only when they stay inside the folder', async () => {
    const root = path.join(tmp.dir, 'find');
    await fs.mkdir(path.join(root, 'a', 'deep'), { recursive: true });
    await fs.writeFile(path.join(root, 'a', 'deep', 'x.trajectory.jsonl'), '');
    await fs.writeFile(path.join(root, 'a', 'notes.jsonl'), '');
    symlinkSync(path.join(root, 'a'), path.join(root, 'inside'));
    symlinkSync(path.join(runs, '2-rocket-dscovr'), path.join(root, 'outside'));
    const found = await findTrajectories([root, path.join(runs, '3-hubble-galaxies', 'trajectory.jsonl')], tmp.dir);
    assert.deepEqual(
      found.files.map((f) => path.relative(tmp.dir, f)),
      ['find/a/deep/x.trajectory.jsonl', 'runs/3-hubble-galaxies/trajectory.jsonl'],
    );
    assert.deepEqual(found.notes, [`${path.join(root, 'outside')}: a link out of ${root}; not followed`]);
  });
});
