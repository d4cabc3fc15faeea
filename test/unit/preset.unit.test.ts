// `--preset mmsearch-r1` (gog.preset): a run that goes as MMSearch-R1's rollout goes
// (mmsearch_r1/workers/multimodal/rollout/vllm_rollout_spmd.py, with the limits of
// mmsearch_r1/scripts/run_mmsearch_r1_grpo.sh): its dialect, 3 rounds, 5 results a search,
// 1 image search and 2 text searches; a search past its limit or on the last round ends the
// trajectory with no answer and no search made, as does a turn with no action; the last round
// is asked with no extra words. The built `gog` against the replay server and the bundled
// corpus; what the model was sent is read off the wire, what happened off the record.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { mmsearchR1Dialect } from '../../src/core/dialects/mmsearchR1';
import type { ActionEvent, FinalEvent, NoticeEvent, ObservationEvent, TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory, type LoadedTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { branchSettings } from '../../src/run/rerun';
import { SettingError } from '../../src/core/settingDecl';
import { checkRunSettings, settingsFromConfig } from '../../src/run/settingsSpec';
import { gog, type Run } from '../helpers/cli';
import { startFakeService, type FakeService } from '../helpers/fakeProviders';
import { photo, tempDir } from '../helpers/fixtures';
import { recording, TEST_MODEL } from '../helpers/recordings';

type Body = { messages: ChatMessage[]; tool_choice?: unknown };

const Q = {
  imageTwice: 'Which cat is this? (two image searches)',
  textTwice: 'What is this cat called? (two text searches)',
  lastRound: 'Where does this cat live? (a search on the last round)',
  noAction: 'How old is this cat? (no action)',
  noPreset: 'What is this cat called? (two text searches, no preset)',
} as const;

const GLANCE = '<reason>I do not know this cat.</reason>\n<search><img></search>';
const TEXT = (q: string) => `<reason>I need a fact.</reason>\n<text_search>${q}</text_search>`;
const TURNS: Record<keyof typeof Q, string[]> = {
  imageTwice: [GLANCE, '<reason>Once more.</reason>\n<search><img></search>', '<answer>Chelsea</answer>'],
  textTwice: [TEXT('famous cat names'), TEXT('Chelsea cat'), '<reason>Found it.</reason>\n<answer>Chelsea</answer>'],
  lastRound: [GLANCE, TEXT('Chelsea cat'), TEXT('Chelsea cat home'), '<answer>London</answer>'],
  noAction: ['It looks about three years old.', '<answer>3</answer>'],
  noPreset: [TEXT('famous cat names'), TEXT('Chelsea cat'), '<reason>Found it.</reason>\n<answer>Chelsea</answer>'],
};

const ofType = <T extends TrajectoryEvent['type']>(t: LoadedTrajectory, type: T) =>
  t.events.filter((e) => e.type === type) as Extract<TrajectoryEvent, { type: T }>[];

function lastUserText(body: Body): string {
  const last = body.messages.at(-1)!;
  if (last.role !== 'user') return '';
  return typeof last.content === 'string' ? last.content : last.content.map((p) => (p.type === 'text' ? p.text : '<image>')).join('');
}

describe('the mmsearch-r1 preset: a run as MMSearch-R1’s rollout goes', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-preset-');
  let server: ReplayServer;
  /** A web text search whose results have images (SerpApi's Google, faked on 127.0.0.1). */
  let serpapi: FakeService;
  const webText = () => ['--text-search', 'serpapi', '--provider-url', `serpapi=${serpapi.origin}`, '--allow-private-urls'];
  const requests = new Map<string, Body[]>();
  let n = 0;

  before(async () => {
    serpapi = await startFakeService('serpapi');
    server = await startReplayServer(
      Object.entries(Q).map(([k, q]) => recording(q, TURNS[k as keyof typeof Q])),
      {
        onRequest: (b) => {
          const body = b as Body;
          const first = JSON.stringify(body.messages.find((m) => m.role === 'user')?.content ?? '');
          const q = Object.values(Q).find((x) => first.includes(JSON.stringify(x).slice(1, -1)))!;
          requests.set(q, [...(requests.get(q) ?? []), body]);
        },
      },
    );
  });
  after(async () => {
    await Promise.all([server.close(), serpapi.close()]);
    tmp.cleanup();
  });

  async function ask(question: string, extra: string[] = ['--preset', 'mmsearch-r1']): Promise<{ run: Run; t: LoadedTrajectory; sent: Body[] }> {
    const out = path.join(tmp.dir, `run-${++n}`);
    const earlier = requests.get(question)?.length ?? 0;
    const run = await gog(
      [
        'ask',
        '--image',
        photo('chelsea.png'),
        '--question',
        question,
        '--endpoint',
        server.url,
        '--model',
        TEST_MODEL,
        '--no-stream',
        '--out',
        out,
        '--json',
        ...extra,
      ],
      { cwd: tmp.dir, env: { SERPAPI_API_KEY: serpapi.key } },
    );
    const t = await readTrajectory(path.join(out, 'trajectory.jsonl'));
    assert.deepEqual(t.problems, []);
    return { run, t, sent: (requests.get(question) ?? []).slice(earlier) };
  }

  it('records the preset, its dialect, 3 turns, 5 results a search and its rules in the trajectory header', async () => {
    const { run, t } = await ask(Q.textTwice);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(t.header!.model.dialect, 'mmsearch-r1');
    assert.deepEqual(t.header!.agent, {
      maxTurns: 3,
      topK: 5,
      preset: 'mmsearch-r1',
      rules: { searchLimits: { image_search: 1, text_search: 2 }, lastTurn: 'plain', unreadable: 'end', textSearchImages: false },
    });
  });

  it('makes 2 text searches, shown as text, and asks the last round with no words beyond the evidence (our own runs add an instruction to answer)', async () => {
    const { run, t, sent } = await ask(Q.textTwice, ['--preset', 'mmsearch-r1', ...webText()]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { answer: string }).answer, 'Chelsea');
    assert.equal(ofType(t, 'observation').length, 2);
    assert.equal(sent.length, 3);
    const force = mmsearchR1Dialect.forceAnswer(Q.textTwice).text;
    // The last round's request ends with the evidence turn as MMSearch-R1 builds it, the after-text-search words last.
    const last = lastUserText(sent[2]!);
    assert.ok(last.startsWith('Searched results: <information>[Text Search Results]'), last.slice(0, 80));
    assert.ok(last.endsWith(`Original user's question: ${Q.textTwice}\n${mmsearchR1Dialect.promptTexts(Q.textTwice).afterTextSearch}`), last.slice(-200));
    assert.ok(!last.includes(force));
    assert.equal(sent[2]!.tool_choice, undefined);
    // Their text search answers in text: the results' images (the record keeps them) are not sent.
    assert.ok(
      ofType(t, 'observation').some((o) => o.results.some((r) => r.thumbnail)),
      'the text results have images',
    );
    const images = (b: Body) =>
      b.messages.flatMap((m) => (m.role === 'user' && typeof m.content !== 'string' ? m.content.filter((p) => p.type === 'image_url') : []));
    assert.equal(images(sent[2]!).length, 1, 'the query image only');
    // Without the preset, the same dialect and budget: the last round is told to answer, and text results show their images.
    const own = await ask(Q.noPreset, ['--dialect', 'mmsearch-r1', '--max-turns', '3', ...webText()]);
    assert.equal(own.run.code, 0, own.run.stderr);
    assert.ok(lastUserText(own.sent[2]!).endsWith(force));
    assert.ok(images(own.sent[2]!).length > 1);
  });

  it('ends the run at an image search past the limit of 1: no answer, no search made, the reason recorded', async () => {
    const { run, t, sent } = await ask(Q.imageTwice);
    assert.equal(run.code, 1);
    const out = JSON.parse(run.stdout) as { answer: string | null; stopReason: string; turns: number };
    assert.deepEqual([out.answer, out.stopReason, out.turns], [null, 'search_limit', 2]);
    assert.match(run.stderr, /gog: no answer: the model asked for a search past the run's limit/);
    assert.equal(sent.length, 2, 'no third round');
    const actions = ofType(t, 'action').map((e: ActionEvent) => [e.step, e.action.kind]);
    assert.deepEqual(actions, [
      [1, 'image_search'],
      [2, 'image_search'],
    ]);
    assert.deepEqual(
      ofType(t, 'observation').map((e: ObservationEvent) => e.step),
      [1],
      'the second image search is not made',
    );
    const notice = ofType(t, 'notice').find((e: NoticeEvent) => e.step === 2);
    assert.match(notice?.message ?? '', /turn 2 asks for an image search past the run's limit of 1 image search: the run ends here, with no answer/);
    const final = t.events.at(-1) as FinalEvent;
    assert.deepEqual([final.type, final.stopReason, final.answer], ['final', 'search_limit', null]);
  });

  it('ends the run at a search on the last round, unmade, even within its limit', async () => {
    const { run, t, sent } = await ask(Q.lastRound);
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as { stopReason: string }).stopReason, 'max_turns');
    assert.equal(sent.length, 3);
    assert.deepEqual(
      ofType(t, 'observation').map((e) => [e.step, e.tool]),
      [
        [1, 'image_search'],
        [2, 'text_search'],
      ],
    );
    assert.match(ofType(t, 'notice').find((e) => e.step === 3)?.message ?? '', /turn 3 is the last and asks for a text search: the run ends here/);
  });

  it('ends the run at a turn with no action, without telling the model', async () => {
    const { run, t, sent } = await ask(Q.noAction);
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as { stopReason: string }).stopReason, 'parse_error');
    assert.equal(sent.length, 1, 'the model is not asked again');
    assert.deepEqual(
      ofType(t, 'action').map((e) => e.action.kind),
      ['parse_error'],
    );
    assert.match(ofType(t, 'notice')[0]?.message ?? '', /turn 1 could not be read as an action: the run ends here, with no answer/);
  });

  it('refuses a flag that contradicts the preset, before anything is asked; the same value is fine', async () => {
    const before = server.stats.chatRequests;
    const cases: [string[], RegExp][] = [
      [['--max-turns', '5'], /^gog: --max-turns 5 contradicts the mmsearch-r1 preset, which runs 3 as MMSearch-R1's rollout does; drop one of them$/m],
      [['--dialect', 'gog'], /^gog: --dialect gog contradicts the mmsearch-r1 preset, which runs mmsearch-r1/m],
      [['--top-k', '10'], /^gog: --top-k 10 contradicts the mmsearch-r1 preset, which runs 5/m],
    ];
    for (const [flags, pattern] of cases) {
      const out = path.join(tmp.dir, `refused-${++n}`);
      for (const command of [
        ['ask', '--image', photo('chelsea.png'), '--question', Q.textTwice, '--out', out],
        ['bench', path.join(tmp.dir, 'none.jsonl'), '--out', out],
      ]) {
        const run = await gog([...command, '--endpoint', server.url, '--model', TEST_MODEL, '--preset', 'mmsearch-r1', ...flags], { cwd: tmp.dir });
        assert.equal(run.code, 2, `${command[0]} ${flags.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, pattern);
        await assert.rejects(fs.stat(out), `${command[0]}: nothing written`);
      }
    }
    assert.equal(server.stats.chatRequests, before, 'the endpoint was asked nothing');
    const same = await ask(Q.textTwice, ['--preset', 'mmsearch-r1', '--max-turns', '3', '--dialect', 'mmsearch-r1', '--top-k', '5']);
    assert.equal(same.run.code, 0, same.run.stderr);
  });

  it('VS Code: gog.preset fills in what it fixes; a setting the user set to another value is refused, naming both', () => {
    const folders = { base: '/w', defaults: { corpusDir: '/c' } };
    // VS Code answers every setting's default; `isSet` says which the user set.
    const config: Record<string, unknown> = { preset: 'mmsearch-r1', maxTurns: 8, dialect: 'gog', resultsPerSearch: 5 };
    const read = settingsFromConfig(
      (name) => config[name],
      folders,
      (name) => name === 'preset',
    );
    assert.deepEqual([read.preset, read.dialect, read.maxTurns, read.topK], ['mmsearch-r1', 'mmsearch-r1', 3, 5]);
    assert.throws(
      () =>
        settingsFromConfig(
          (name) => config[name],
          folders,
          (name) => name === 'preset' || name === 'maxTurns',
        ),
      (e: unknown) =>
        e instanceof SettingError &&
        e.message === "setting gog.maxTurns 8 contradicts the mmsearch-r1 preset, which runs 3 as MMSearch-R1's rollout does; drop one of them",
    );
  });

  it('gog bench records the preset in bench.json, and a run the limit ended as its own failure cause', async () => {
    const dir = path.join(tmp.dir, 'data');
    await fs.mkdir(dir);
    await fs.copyFile(photo('chelsea.png'), path.join(dir, 'chelsea.png'));
    const data = path.join(dir, 'bench.jsonl');
    await fs.writeFile(
      data,
      [Q.imageTwice, Q.textTwice].map((q, i) => JSON.stringify({ id: `s${i}`, question: q, answer: ['Chelsea'], image: 'chelsea.png' })).join('\n') + '\n',
    );
    const out = path.join(tmp.dir, 'bench-run');
    const run = await gog(['bench', data, '--endpoint', server.url, '--model', TEST_MODEL, '--no-stream', '--preset', 'mmsearch-r1', '--out', out, '--json'], {
      cwd: tmp.dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const meta = JSON.parse(await fs.readFile(path.join(out, 'bench.json'), 'utf8')) as { settings: Record<string, unknown> };
    assert.deepEqual([meta.settings.preset, meta.settings.dialect, meta.settings.maxTurns, meta.settings.topK], ['mmsearch-r1', 'mmsearch-r1', 3, 5]);
    const results = (await fs.readFile(path.join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; stopReason: string; cause?: string; searches: { glance: number; text: number } });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    assert.deepEqual([byId.s0!.stopReason, byId.s0!.cause, byId.s0!.searches.glance], ['search_limit', 'search_limit', 1], 'the refused search is not counted');
    assert.deepEqual([byId.s1!.stopReason, byId.s1!.cause, byId.s1!.searches.text], ['answered', undefined, 2]);
  });

  it('gog rerun goes on under the parent’s preset: searches before the step count against its limits', async () => {
    const { t } = await ask(Q.imageTwice);
    const branch = path.join(tmp.dir, `branch-${++n}`);
    const run = await gog(['rerun', t.path, '--from-step', '2', '--endpoint', server.url, '--model', TEST_MODEL, '--no-stream', '--out', branch, '--json'], {
      cwd: tmp.dir,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { stopReason: string }).stopReason, 'search_limit');
    const b = await readTrajectory(path.join(branch, 'trajectory.jsonl'));
    assert.equal(b.header!.agent.preset, 'mmsearch-r1');
    // Step 1's glance (copied from the parent) was the one image search allowed: step 2's is refused again.
    assert.deepEqual(
      ofType(b, 'observation').map((e) => e.step),
      [1],
    );
    const refused = await gog(['rerun', t.path, '--from-step', '2', '--endpoint', server.url, '--model', TEST_MODEL, '--max-turns', '5'], { cwd: tmp.dir });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--max-turns 5 contradicts the mmsearch-r1 preset/);
    // A branch keeps its parent's rules: VS Code's gog.preset (the settings a re-run starts from) does not reach a parent without one.
    const own = await ask(Q.noPreset, ['--dialect', 'mmsearch-r1', '--max-turns', '3']);
    const fromVsCode = settingsFromConfig((name) => (name === 'preset' ? 'mmsearch-r1' : undefined), { base: '/w', defaults: { corpusDir: '/c' } });
    const settings = branchSettings(fromVsCode, own.t.header!);
    assert.deepEqual([settings.preset, settings.maxTurns, settings.topK], ['none', 3, 5]);
    checkRunSettings(settings);
    assert.equal(
      branchSettings(
        settingsFromConfig(() => undefined, { base: '/w', defaults: {} }),
        b.header!,
      ).preset,
      'mmsearch-r1',
    );
  });
});
