// The loop's rules are data (src/core/runRules.ts): any dialect, any limits, each part on
// its own, not a preset's name. The agent itself (AgentRun) over the real openai client to
// the replay server, the real local corpus, sharp and a run folder on disk.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { AgentRun } from '../../src/core/agent';
import type { ChatMessage } from '../../src/core/chat';
import { gogDialect } from '../../src/core/dialects/gog';
import { DEFAULT_MAX_PIXELS } from '../../src/core/geometry';
import type { RunRules } from '../../src/core/runRules';
import type { TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { ModelClient, DEFAULT_MODEL_SETTINGS } from '../../src/model/client';
import { startReplayServer } from '../../src/model/replayServer';
import { RunFolder } from '../../src/data/runFolder';
import { QUERY_DEFAULTS } from '../../src/run/runQuery';
import { setUpSearch } from '../../src/search/registry';
import { loadImage } from '../../src/vision/image';
import { CORPUS, DEMO, photo, tempDir } from '../helpers/fixtures';
import { recording, TEST_MODEL } from '../helpers/recordings';

type Body = { messages: ChatMessage[] };

const lastUserText = (b: Body) => {
  const m = b.messages.at(-1)!;
  return m.role !== 'user' ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
};

describe('run rules, as data', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-rules-');
  after(tmp.cleanup);
  let n = 0;

  async function run(turns: string[], maxTurns: number, rules: RunRules): Promise<{ events: TrajectoryEvent[]; sent: Body[]; stopReason: string }> {
    const question = `Which cat is this? (${++n})`;
    const sent: Body[] = [];
    const server = await startReplayServer([recording(question, turns)], { onRequest: (b) => sent.push(b as Body) });
    try {
      const demo = (await readTrajectory(path.join(DEMO, 'recorded', '4-chelsea-name.trajectory.jsonl'))).header!;
      const image = await loadImage(photo('chelsea.png'), { boxFormat: 'pixels-sent', maxPixels: DEFAULT_MAX_PIXELS });
      const dir = path.join(tmp.dir, `run-${n}`);
      const header = {
        ...demo,
        id: `run-${n}`,
        question,
        image: { ...demo.image, path: 'image.png', sent: { width: image.sent.width, height: image.sent.height, path: 'images/sent.jpg' } },
        model: { ...demo.model, dialect: 'gog' as const, boxFormat: 'pixels-sent' as const },
      };
      const folder = await RunFolder.create(dir, header, { image: image.bytes, sent: image.sent });
      const model = { ...DEFAULT_MODEL_SETTINGS, endpoint: server.url, model: TEST_MODEL, stream: false };
      const search = await setUpSearch(
        { ...QUERY_DEFAULTS, corpusDir: CORPUS, cacheSearches: false },
        { keys: {}, env: {}, model, onProblem: () => undefined },
      );
      const agent = new AgentRun(
        { question, dialect: gogDialect, boxFormat: 'pixels-sent', maxTurns, topK: 3, evidenceImages: true, rules },
        { model: new ModelClient(model), image, imageSearch: search.image, textSearch: search.text, recorder: folder },
      );
      const result = await agent.run(new AbortController().signal);
      await folder.close();
      const t = await readTrajectory(path.join(dir, 'trajectory.jsonl'));
      assert.deepEqual(t.problems, []);
      return { events: t.events, sent, stopReason: result.stopReason };
    } finally {
      await server.close();
    }
  }

  it('a limit on one kind of search, in the gog dialect, beside our own last turn and unreadable turns', async () => {
    const { events, sent, stopReason } = await run(
      [
        'It is a cat.',
        '<think>Look it up.</think><text_search>famous cats</text_search>',
        '<think>Closer.</think><search><bbox>[100, 50, 400, 300]</bbox></search>',
        '<think>Again.</think><text_search>Chelsea cat</text_search>',
      ],
      4,
      { searchLimits: { text_search: 1 }, lastTurn: 'force', unreadable: 'tell', textSearchImages: true },
    );
    assert.equal(stopReason, 'search_limit');
    assert.equal(sent.length, 4);
    // The unreadable turn was told to the model; the last turn was told to answer.
    assert.match(lastUserText(sent[1]!), /^Your last turn could not be carried out: no action found/);
    assert.ok(lastUserText(sent[3]!).endsWith(gogDialect.forceAnswer(`Which cat is this? (${n})`).text));
    // The gaze (an image search, not limited) was made; the second text search was not.
    assert.deepEqual(
      events.filter((e) => e.type === 'observation').map((e) => [e.step, e.type === 'observation' && e.tool]),
      [
        [2, 'text_search'],
        [3, 'image_search'],
      ],
    );
    assert.ok(events.some((e) => e.type === 'notice' && e.step === 4 && /past the run's limit of 1 text search/.test(e.message)));
  });

  it('a limit of 0: no search of that kind at all', async () => {
    const { events, sent, stopReason } = await run(['<think>Search it.</think><search><img></search>', '<answer>Chelsea</answer>'], 3, {
      searchLimits: { image_search: 0 },
      lastTurn: 'force',
      unreadable: 'tell',
      textSearchImages: true,
    });
    assert.equal(stopReason, 'search_limit');
    assert.equal(sent.length, 1);
    assert.equal(events.filter((e) => e.type === 'observation').length, 0);
  });
});
