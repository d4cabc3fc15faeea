// The agent loop end to end: the real openai client over HTTP to the replay server on
// 127.0.0.1, real sharp crops, the real local corpus, trajectories on disk.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AgentEvent } from '../../src/core/agent';
import type { ChatMessage } from '../../src/core/chat';
import { readTrajectory, type LoadedTrajectory } from '../../src/core/trajectoryFile';
import type { ActionEvent, FinalEvent, ObservationEvent, TrajectoryEvent } from '../../src/core/trajectory';
import { recordingFromTrajectory, startReplayServer, type Recording, type ReplayOptions, type ReplayServer } from '../../src/model/replayServer';
import { QUERY_DEFAULTS, QueryError, runQuery, type QueryHooks, type QueryOutcome, type QuerySettings } from '../../src/run/runQuery';
import { closedEndpoint, CORPUS, DEMO, photo, tempDir } from '../helpers/fixtures';
import { recording, toolTurn } from '../helpers/recordings';
import { sseChunk, startWireServer } from '../helpers/wireServer';

type Body = { messages: ChatMessage[]; tool_choice?: unknown; tools?: unknown[] };

interface RunResult {
  outcome: QueryOutcome;
  trajectory: LoadedTrajectory;
  requests: Body[];
  events: AgentEvent[];
}

const tmp = tempDir();
let counter = 0;

function settingsFor(server: { url: string }, rec: Recording, overrides: Partial<QuerySettings>): QuerySettings {
  return {
    ...QUERY_DEFAULTS,
    image: photo('astronaut.png'),
    question: rec.question,
    endpoint: server.url,
    model: rec.model,
    corpusDir: CORPUS,
    runDir: path.join(tmp.dir, `run-${++counter}`),
    timeoutMs: 5000,
    ...overrides,
  };
}

async function runRecorded(rec: Recording, overrides: Partial<QuerySettings> = {}, replay: ReplayOptions = {}, hooks: QueryHooks = {}): Promise<RunResult> {
  const requests: Body[] = [];
  const server = await startReplayServer([rec], { ...replay, onRequest: (b) => requests.push(b as Body) });
  const events: AgentEvent[] = [];
  try {
    const outcome = await runQuery(settingsFor(server, rec, overrides), {
      ...hooks,
      onEvent: (e) => {
        events.push(e);
        hooks.onEvent?.(e);
      },
    });
    const trajectory = await readTrajectory(outcome.trajectory);
    assert.deepEqual(trajectory.problems, [], 'every line of the trajectory is valid');
    return { outcome, trajectory, requests, events };
  } finally {
    await server.close();
  }
}

async function demoRecording(name: string): Promise<{ rec: Recording; header: NonNullable<LoadedTrajectory['header']>; file: string }> {
  const file = path.join(DEMO, 'recorded', `${name}.trajectory.jsonl`);
  const t = await readTrajectory(file);
  return { rec: recordingFromTrajectory(t), header: t.header!, file };
}

const ofType = <T extends TrajectoryEvent['type']>(t: LoadedTrajectory, type: T) =>
  t.events.filter((e) => e.type === type) as Extract<TrajectoryEvent, { type: T }>[];
const final = (t: LoadedTrajectory) => t.events.at(-1) as FinalEvent;

function lastUserText(body: Body): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  if (!last || last.role !== 'user') return '';
  return typeof last.content === 'string' ? last.content : last.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

describe('agent loop end to end', function () {
  this.timeout(60_000);
  after(tmp.cleanup);

  it('replays the astronaut demo: a wrong gaze, a reflection, a right gaze, a search, an answer', async () => {
    const { rec, header } = await demoRecording('1-astronaut-patch');
    const { outcome, trajectory, requests, events } = await runRecorded(rec, {
      image: path.resolve(DEMO, 'recorded', header.image.path),
      dialect: header.model.dialect,
      boxFormat: header.model.boxFormat,
      gold: header.gold!,
    });
    assert.equal(outcome.stopReason, 'answered');
    assert.equal(outcome.answer, 'Chandra X-ray Observatory');
    assert.equal(outcome.turns, 4);
    assert.deepEqual(outcome.score, { exactMatch: 1, f1: 1 });

    const t = trajectory;
    assert.equal(t.header!.image.sent.width, 504);
    assert.equal(t.header!.model.name, header.model.name);
    assert.deepEqual(
      ofType(t, 'model_turn').map((e) => e.raw),
      rec.turns.map((x) => x.text),
    );
    assert.deepEqual(
      ofType(t, 'reflection').map((e) => e.kind),
      ['think', 'reflect', 'reflect', 'think'],
    );
    const actions = ofType(t, 'action').map((e) => e.action);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['image_search', 'image_search', 'text_search', 'answer'],
    );
    const gaze = actions[1] as Extract<ActionEvent['action'], { kind: 'image_search' }>;
    assert.equal(gaze.scope, 'region');
    assert.deepEqual(gaze.box!.model, [128, 340, 210, 420]);
    assert.deepEqual(gaze.box!.sent, [128, 340, 210, 420]);
    assert.deepEqual(gaze.box!.original, [130, 345, 214, 427]);
    assert.ok(existsSync(path.join(outcome.runDir, gaze.crop!)), 'the crop is a file in the run folder');

    const observations: ObservationEvent[] = ofType(t, 'observation');
    assert.equal(observations[0]!.results[0]!.title, 'Space Shuttle launch stack – desk model');
    assert.equal(observations[1]!.results[0]!.title, 'STS-93 mission patch');
    assert.equal(observations[2]!.results[0]!.title, 'Chandra X-ray Observatory');
    for (const r of observations[1]!.results) {
      assert.match(r.thumbnail!, /^images\/s2-img-r\d\.jpg$/);
      assert.ok(existsSync(path.join(outcome.runDir, r.thumbnail!)));
    }
    assert.equal(final(t).stopReason, 'answered');

    // What the model was shown: the image, then evidence with thumbnails and the question again.
    const first = requests[0]!.messages;
    assert.equal(first[0]!.role, 'system');
    const evidence = requests[1]!.messages.at(-1)!;
    assert.equal(evidence.role, 'user');
    assert.match(lastUserText(requests[1]!), /^Searched results: <information>\[Image Search Results\] The search on the region \[345, 0, 465, 285\]/);
    assert.ok(Array.isArray((evidence as { content: unknown }).content));
    // The run folder holds the image as given, the image as sent, and run.json.
    assert.ok(existsSync(path.join(outcome.runDir, 'image.png')));
    assert.ok(existsSync(path.join(outcome.runDir, 'images', 'sent.jpg')));
    const summary = JSON.parse(await fs.readFile(path.join(outcome.runDir, 'run.json'), 'utf8'));
    assert.equal(summary.status, 'finished');
    assert.equal(summary.answer, 'Chandra X-ray Observatory');
    // Subscribers saw each record as it was written, plus live deltas and status.
    assert.equal(events.filter((e) => e.kind === 'record').length, t.events.length);
    assert.ok(events.some((e) => e.kind === 'delta'));
    assert.ok(events.some((e) => e.kind === 'status'));
  });

  it('runs the mmsearch-r1 and tool-calls demos through their own wire formats', async () => {
    const hubble = await demoRecording('3-hubble-galaxies');
    const a = await runRecorded(hubble.rec, { image: photo('hubble_deep_field.jpg'), dialect: 'mmsearch-r1', boxFormat: 'rel-1000' });
    assert.equal(a.outcome.answer, 'About 5,500');
    assert.equal(a.requests[0]!.messages.length, 1, 'MMSearch-R1 puts everything in the first user turn');

    const cat = await demoRecording('4-chelsea-name');
    const b = await runRecorded(cat.rec, { image: photo('chelsea.png'), dialect: 'tool-calls', boxFormat: 'rel-1000' });
    assert.equal(b.outcome.answer, 'Chelsea');
    assert.equal(b.requests[0]!.tools!.length, 3);
    const toolReply = b.requests[1]!.messages.find((m) => m.role === 'tool') as { tool_call_id: string; content: string };
    assert.equal(toolReply.tool_call_id, 'call_glance');
    assert.equal(JSON.parse(toolReply.content).results[0].title, 'Chelsea the cat – scikit-image sample data');
    assert.deepEqual(ofType(b.trajectory, 'model_turn')[0]!.toolCalls![0]!.function.name, 'image_search');
  });

  it('tells the model about unparseable turns and invalid boxes, counts them, and goes on', async () => {
    const rec = recording('Where was this photo taken?', [
      'I believe it is a rocket.',
      '<think>t</think><search><bbox>[500, 100, 100, 400]</bbox></search>',
      '<think>t</think><search><bbox>[10, 10, 12, 400]</bbox></search>',
      '<think>t</think><answer>Cape Canaveral</answer>',
    ]);
    const { outcome, trajectory, requests } = await runRecorded(rec, { image: photo('rocket.jpg'), boxFormat: 'pixels-sent' });
    assert.equal(outcome.stopReason, 'answered');
    assert.equal(outcome.turns, 4);
    const errors = ofType(trajectory, 'action')
      .filter((e) => e.action.kind === 'parse_error')
      .map((e) => (e.action as { message: string }).message);
    assert.equal(errors.length, 3);
    assert.match(errors[0]!, /no action found/);
    assert.match(errors[1]!, /reversed/);
    assert.match(errors[2]!, /too small/);
    assert.match(lastUserText(requests[1]!), /could not be carried out: no action found/);
    assert.match(lastUserText(requests[2]!), /could not be carried out: box \[500, 100, 100, 400\] is reversed/);
    assert.equal(ofType(trajectory, 'observation').length, 0);
  });

  it('forces an answer on the last turn and stops at the budget', async () => {
    const rec = recording('What is this?', ['<text_search>one</text_search>', '<text_search>two</text_search>', '<text_search>three</text_search>']);
    const { outcome, trajectory, requests } = await runRecorded(rec, { maxTurns: 3 });
    assert.equal(outcome.stopReason, 'max_turns');
    assert.equal(outcome.answer, null);
    assert.equal(requests.length, 3);
    assert.ok(!/last turn/.test(lastUserText(requests[1]!)));
    assert.match(lastUserText(requests[2]!), /This is your last turn: give your final answer now in <answer><\/answer>\.$/);
    assert.equal(final(trajectory).stopReason, 'max_turns');
    // The instruction is for that request only: it is not left in the conversation.
    assert.equal(requests[2]!.messages.filter((m) => m.role === 'user' && JSON.stringify(m).includes('last turn')).length, 1);

    const tools = recording('Cat?', [toolTurn('text_search', { query: 'a' }), toolTurn('answer', { text: 'b' })]);
    const t = await runRecorded(tools, { image: photo('chelsea.png'), dialect: 'tool-calls', maxTurns: 2 });
    assert.equal(t.requests[0]!.tool_choice, undefined);
    assert.deepEqual(t.requests[1]!.tool_choice, { type: 'function', function: { name: 'answer' } });
  });

  describe('faults on the wire: the run recovers or ends with a recorded error, losing nothing', () => {
    const rocket = async () => {
      const { rec, header } = await demoRecording('2-rocket-dscovr');
      return { rec, overrides: { image: photo('rocket.jpg'), dialect: header.model.dialect, boxFormat: header.model.boxFormat } };
    };

    it('429 and 500 mid-run: retried by the SDK, the run answers', async () => {
      const { rec, overrides } = await rocket();
      const { outcome } = await runRecorded(rec, overrides, { faults: { 2: '429', 4: '500' } });
      assert.equal(outcome.stopReason, 'answered');
      assert.equal(outcome.answer, 'Sun–Earth L1');
    });

    it('a stream cut midway: the turn is asked again and a notice is recorded', async () => {
      const { rec, overrides } = await rocket();
      const { outcome, trajectory } = await runRecorded(rec, overrides, { faults: { 2: 'cut' } });
      assert.equal(outcome.stopReason, 'answered');
      const notices = ofType(trajectory, 'notice');
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.step, 2);
      assert.match(notices[0]!.message, /stream broke/);
    });

    it('a server that keeps failing: the run ends with an error and the turns before it stay on disk', async () => {
      const { rec, overrides } = await rocket();
      const { outcome, trajectory } = await runRecorded(rec, { ...overrides, maxRetries: 1 }, { faults: { 2: '500', 3: '500' } });
      assert.equal(outcome.stopReason, 'error');
      assert.match(outcome.error!, /answered 500/);
      assert.deepEqual(
        trajectory.events.map((e) => e.type),
        ['model_turn', 'reflection', 'action', 'observation', 'final'],
      );
      assert.equal(final(trajectory).step, 2);
      assert.match(final(trajectory).error!, /answered 500/);
    });

    it('a server that stops answering: a timeout error, recorded', async () => {
      const { rec, overrides } = await rocket();
      const { outcome, trajectory } = await runRecorded(rec, { ...overrides, timeoutMs: 1000, maxRetries: 0 }, { faults: { 2: 'hang' } });
      assert.equal(outcome.stopReason, 'error');
      assert.match(final(trajectory).error!, /did not finish its reply within 1 s/);
      assert.equal(ofType(trajectory, 'model_turn').length, 1);
    });

    it('a reply that trickles past the deadline: the run ends at it, and the partial text is recorded, marked cut', async () => {
      const wire = await startWireServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // The first words at once (a loaded machine must not make the test's partial empty), then a trickle.
        res.write(sseChunk({ content: '<think>The rocket is a ' }));
        const timer = setInterval(() => res.write(sseChunk({ content: 'Falcon ' })), 150);
        res.on('close', () => clearInterval(timer));
      });
      try {
        const settings = settingsFor(wire, recording('What rocket?', []), { model: 'wire-model', timeoutMs: 1000, maxRetries: 0 });
        const outcome = await runQuery(settings);
        assert.equal(outcome.stopReason, 'error');
        assert.match(outcome.error!, /did not finish its reply within 1 s/);
        const t = await readTrajectory(outcome.trajectory);
        assert.deepEqual(t.problems, []);
        const [turn] = ofType(t, 'model_turn');
        assert.match(turn!.raw, /^<think>The rocket is a (Falcon )*/);
        assert.equal(turn!.cut?.reason, 'timeout');
        assert.equal(turn!.finishReason, null);
        assert.equal(final(t).stopReason, 'error');
      } finally {
        await wire.close();
      }
    });

    it('a reply over the size cap: kept up to it, marked cut with a notice, and the run goes on', async () => {
      const long = `<think>${'very long thought '.repeat(2000)}</think><answer>x</answer>`;
      const { outcome, trajectory } = await runRecorded(recording('Q?', [long, '<answer>short</answer>']), { maxReplyChars: 5000 });
      assert.equal(outcome.stopReason, 'answered');
      assert.equal(outcome.answer, 'short');
      const [first] = ofType(trajectory, 'model_turn');
      assert.equal(first!.raw.length, 5000);
      assert.equal(first!.cut?.reason, 'too_long');
      assert.match(ofType(trajectory, 'notice')[0]!.message, /cut at 5,000 characters/);
      assert.equal(ofType(trajectory, 'action')[0]!.action.kind, 'parse_error', 'the cut turn is unreadable and the model is told');
    });

    it('malformed JSON: an error, recorded', async () => {
      const { rec, overrides } = await rocket();
      const { outcome, trajectory } = await runRecorded(rec, { ...overrides, stream: false, maxRetries: 0 }, { faults: { 2: 'malformed' } });
      assert.equal(outcome.stopReason, 'error');
      assert.match(final(trajectory).error!, /bad response/);
    });

    it("vLLM's image limit: the error says what to change", async () => {
      const { rec, overrides } = await rocket();
      const { outcome } = await runRecorded(rec, overrides, { imageLimit: 1 });
      assert.equal(outcome.stopReason, 'error');
      assert.match(outcome.error!, /--limit-mm-per-prompt/);
      // With evidence images off, the same server is enough.
      const again = await runRecorded(rec, { ...overrides, evidenceImages: false }, { imageLimit: 1 });
      assert.equal(again.outcome.stopReason, 'answered');
    });
  });

  it('cancels at any point and keeps the trajectory so far', async () => {
    const { rec } = await demoRecording('1-astronaut-patch');
    const controller = new AbortController();
    const { outcome, trajectory } = await runRecorded(
      rec,
      { image: photo('astronaut.png'), boxFormat: 'pixels-sent' },
      { latencyMs: 20 },
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.kind === 'record' && e.event.type === 'observation') controller.abort();
        },
      },
    );
    assert.equal(outcome.stopReason, 'cancelled');
    assert.equal(final(trajectory).stopReason, 'cancelled');
    assert.deepEqual(
      trajectory.events.map((e) => e.type),
      ['model_turn', 'reflection', 'action', 'observation', 'final'],
    );
  });

  describe('bad input: a one-line error before anything is written', () => {
    // Started in a hook: a server made while the file loads keeps mocha alive when a grep skips this block.
    let server: Promise<ReplayServer>;
    before(() => (server = startReplayServer([recording('Q?', ['<answer>a</answer>'])])));
    after(async () => (await server).close());

    async function expectQueryError(overrides: Partial<QuerySettings>, pattern: RegExp): Promise<void> {
      const s = await server;
      const settings = settingsFor(s, recording('Q?', []), overrides);
      await assert.rejects(runQuery(settings), (e: unknown) => {
        assert.ok(e instanceof QueryError, String(e));
        assert.match(e.message, pattern);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
      assert.ok(!existsSync(settings.runDir) || overrides.runDir === settings.runDir, 'no run folder was created');
    }

    it('an empty question, a missing image, a bad setting', async () => {
      await expectQueryError({ question: '   ' }, /the question is empty/);
      await expectQueryError({ image: path.join(tmp.dir, 'missing.png') }, /image not found/);
      await expectQueryError({ maxTurns: 0 }, /max turns must be a whole number from 1 to 1000; got 0/);
      await expectQueryError({ endpoint: 'ftp://x' }, /must be an http\(s\) URL/);
    });

    it('a wrong model name, an unreachable endpoint', async () => {
      await expectQueryError({ model: 'not-served' }, /does not serve model "not-served"; it serves: gog-test-model/);
      await expectQueryError(
        { endpoint: await closedEndpoint(), maxRetries: 0 },
        /cannot reach the model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/,
      );
    });

    it('a run folder that already holds a run is never overwritten', async () => {
      const dir = path.join(tmp.dir, 'taken');
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'trajectory.jsonl'), 'precious\n');
      await expectQueryError({ runDir: dir }, /already holds a run/);
      assert.equal(await fs.readFile(path.join(dir, 'trajectory.jsonl'), 'utf8'), 'precious\n');
    });

    it('a corpus with a broken line: reported by line number, the run goes on', async () => {
      const dir = path.join(tmp.dir, 'corpus-broken');
      await fs.mkdir(dir, { recursive: true });
      const good = (await fs.readFile(path.join(CORPUS, 'pages.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .filter((l) => !l.includes('"image"'));
      await fs.writeFile(path.join(dir, 'pages.jsonl'), [good[0], '{"id": broken', ...good.slice(1)].join('\n'));
      const notices: string[] = [];
      const { outcome } = await runRecorded(
        recording('Q?', ['<text_search>Chandra</text_search>', '<answer>a</answer>']),
        { corpusDir: dir },
        {},
        { onNotice: (m) => notices.push(m) },
      );
      assert.equal(outcome.stopReason, 'answered');
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, /pages\.jsonl:2: not valid JSON .*\(skipped; the rest of the corpus loaded\)/);
    });
  });
});
