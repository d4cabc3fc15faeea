// The conversation rebuilt from a record is the one the agent sent: message for message,
// byte for byte, for every demo run (three dialects) and for turns that could not be read.
// Corrected turns are written anew in the dialect and read back the same.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Action } from '../../src/core/actions';
import { applyAnnotations } from '../../src/core/annotations';
import type { ChatMessage } from '../../src/core/chat';
import { ASSET_URL, mapImages, rebuildConversation, stepsOf } from '../../src/core/conversation';
import { getDialect } from '../../src/core/dialects';
import { renderTurnChecked } from '../../src/core/dialects/render';
import { staleSteps } from '../../src/core/staleness';
import type { AnnotationEvent, Edit, TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer } from '../../src/model/replayServer';
import { QUERY_DEFAULTS, runQuery } from '../../src/run/runQuery';
import { demoRuns } from '../helpers/demoRuns';
import { CORPUS, photo, tempDir } from '../helpers/fixtures';
import { recording, toolTurn } from '../helpers/recordings';

/** The run's images as the agent sent them: data URLs of the files it saved. */
function withDataUrls(runDir: string, messages: ChatMessage[]): unknown {
  const inline = (url: string) => `data:image/jpeg;base64,${readFileSync(path.join(runDir, url.slice(ASSET_URL.length))).toString('base64')}`;
  return JSON.parse(JSON.stringify(messages.map((m) => mapImages(m, inline))));
}

async function rebuiltRequests(trajectory: string, runDir: string, requests: { messages: ChatMessage[] }[]): Promise<void> {
  const t = await readTrajectory(trajectory);
  const corrected = applyAnnotations(t.header, t.events);
  const steps = stepsOf(corrected);
  for (let i = 0; i < requests.length; i++) {
    const rebuilt = rebuildConversation(t.header!, steps, { dialect: getDialect(t.header!.model.dialect), inlineReasoning: false, before: i + 1 });
    assert.ok(rebuilt.ok, !rebuilt.ok ? rebuilt.error : '');
    assert.deepEqual(
      withDataUrls(
        runDir,
        rebuilt.value.messages.map((m) => m.message),
      ),
      requests[i]!.messages,
      `${trajectory}: request ${i + 1}`,
    );
  }
}

const t0 = '2026-11-25T00:00:00.000Z';
const ann = (id: string, edit: Edit): AnnotationEvent => ({ type: 'annotation', step: 0, t: t0, id, edit });

describe('conversations rebuilt from the record', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  after(tmp.cleanup);

  it('are what the agent sent at every turn of every demo run (gog, mmsearch-r1, tool-calls)', async () => {
    const runs = await demoRuns();
    assert.equal(runs.length, 5);
    for (const run of runs) await rebuiltRequests(run.trajectory, run.runDir, run.requests);
  });

  it('are what the agent sent after turns it could not read (no action, a bad box, two tool calls)', async () => {
    const cases = [
      {
        rec: recording('Where was this taken?', [
          'It is a rocket.',
          '<think>t</think><search><bbox>[500, 100, 100, 400]</bbox></search>',
          '<answer>Florida</answer>',
        ]),
        dialect: 'gog' as const,
      },
      {
        rec: recording('Whose cat?', [
          { text: '', toolCalls: [...toolTurn('text_search', { query: 'a' }, '', 'c1').toolCalls!, ...toolTurn('answer', { text: 'b' }, '', 'c2').toolCalls!] },
          toolTurn('answer', { text: '' }),
          toolTurn('answer', { text: 'Chelsea' }, 'It is Chelsea.'),
        ]),
        dialect: 'tool-calls' as const,
      },
    ];
    for (const { rec, dialect } of cases) {
      const requests: { messages: ChatMessage[] }[] = [];
      const server = await startReplayServer([rec], { onRequest: (b) => requests.push(b as { messages: ChatMessage[] }) });
      try {
        const runDir = path.join(tmp.dir, `bad-${dialect}`);
        const outcome = await runQuery({
          ...QUERY_DEFAULTS,
          image: photo('rocket.jpg'),
          question: rec.question,
          endpoint: server.url,
          model: rec.model,
          dialect,
          corpusDir: CORPUS,
          cacheSearches: false,
          runDir,
        });
        assert.equal(outcome.stopReason, 'answered');
        await rebuiltRequests(outcome.trajectory, runDir, requests);
      } finally {
        await server.close();
      }
    }
  });

  it('write a corrected turn anew in the run’s dialect and keep unedited turns as the model wrote them', async () => {
    const run = (await demoRuns()).find((r) => r.name === '1-astronaut-patch')!;
    const t = await readTrajectory(run.trajectory);
    const events: TrajectoryEvent[] = [
      ...t.events,
      ann('a1', { op: 'set_text', target: 'e6', text: 'Wrong region: the patch on her chest names the flight.' }),
      ann('a2', { op: 'insert_reflection', target: 4, kind: 'reflect', text: 'Two pages agree.' }),
      ann('a3', { op: 'set_text', target: 'e15', text: 'Chandra' }),
    ];
    const rebuilt = rebuildConversation(t.header!, stepsOf(applyAnnotations(t.header, events)), { dialect: getDialect('gog'), inlineReasoning: false });
    assert.ok(rebuilt.ok);
    const model = rebuilt.value.messages.filter((m) => m.kind === 'model').map((m) => m.message.content);
    const raws = t.events.filter((e) => e.type === 'model_turn').map((e) => (e.type === 'model_turn' ? e.raw : ''));
    assert.equal(model[0], raws[0], 'step 1 is unedited: its raw text');
    assert.equal(model[1], '<reflect>Wrong region: the patch on her chest names the flight.</reflect>\n<search><bbox>[128, 340, 210, 420]</bbox></search>');
    assert.equal(model[2], raws[2]);
    assert.equal(
      model[3],
      '<reflect>Two pages agree.</reflect>\n<think>Both pages agree: STS-93, commanded by Eileen Collins, deployed the Chandra X-ray Observatory from Columbia in July 1999.</think>\n<answer>Chandra</answer>',
    );
    // The same trajectory in another dialect: every turn written anew, evidence in its words.
    const asTools = rebuildConversation(t.header!, stepsOf(applyAnnotations(t.header, events)), { dialect: getDialect('tool-calls'), inlineReasoning: false });
    assert.ok(asTools.ok);
    const calls = asTools.value.messages.flatMap((m) => (m.message.role === 'assistant' ? (m.message.tool_calls ?? []) : []));
    assert.deepEqual(
      calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['image_search', { region: [345, 0, 465, 285] }],
        ['image_search', { region: [128, 340, 210, 420] }],
        ['text_search', { query: 'STS-93 Columbia deployed Chandra X-ray Observatory' }],
        ['answer', { text: 'Chandra' }],
      ],
    );
    assert.equal(asTools.value.tools?.length, 3);
    // MMSearch-R1 has no gaze: the trajectory cannot be said in it.
    const asR1 = rebuildConversation(t.header!, stepsOf(applyAnnotations(t.header, events)), { dialect: getDialect('mmsearch-r1'), inlineReasoning: false });
    assert.ok(!asR1.ok);
    assert.match(asR1.error, /^step 1: the mmsearch-r1 format has no region search/);
  });

  it('leave dropped steps out', async () => {
    const run = (await demoRuns()).find((r) => r.name === '1-astronaut-patch')!;
    const t = await readTrajectory(run.trajectory);
    const c = applyAnnotations(t.header, [...t.events, ann('d1', { op: 'drop_step', target: 1 })]);
    const rebuilt = rebuildConversation(t.header!, stepsOf(c), { dialect: getDialect('gog'), inlineReasoning: false });
    assert.ok(rebuilt.ok);
    assert.deepEqual(
      rebuilt.value.messages.map((m) => `${m.kind}:${m.step}`),
      ['prompt:0', 'prompt:0', 'model:2', 'evidence:2', 'model:3', 'evidence:3', 'model:4'],
    );
  });

  it('find the steps whose search was corrected after its evidence came back (stale), and no others', async () => {
    const run = (await demoRuns()).find((r) => r.name === '1-astronaut-patch')!;
    const t = await readTrajectory(run.trajectory);
    const stale = (extra: AnnotationEvent[]) => staleSteps([...t.events, ...extra], applyAnnotations(t.header, [...t.events, ...extra]));
    assert.deepEqual(stale([]), []);
    assert.deepEqual(
      stale([ann('x1', { op: 'set_text', target: 'e6', text: 'a reflection' }), ann('x2', { op: 'set_text', target: 'e15', text: 'an answer' })]),
      [],
    );
    assert.deepEqual(stale([ann('b1', { op: 'set_box', target: 'e3', box: [130, 345, 214, 427] })]), [{ step: 1, annotation: 'b1' }]);
    assert.deepEqual(stale([ann('q1', { op: 'set_text', target: 'e11', text: 'STS-93 payload' })]), [{ step: 3, annotation: 'q1' }]);
    // The same query typed again changes nothing; a dropped step or a reverted edit does not count.
    assert.deepEqual(stale([ann('q2', { op: 'set_text', target: 'e11', text: 'STS-93 Columbia deployed Chandra X-ray Observatory' })]), []);
    assert.deepEqual(stale([ann('q3', { op: 'set_text', target: 'e11', text: 'x' }), ann('d', { op: 'drop_step', target: 3 })]), []);
    assert.deepEqual(stale([ann('q4', { op: 'set_text', target: 'e11', text: 'x' }), ann('r', { op: 'revert', target: 'q4' })]), []);
    // Evidence written after the correction (a branch re-ran the step) is not stale.
    const events = t.events.filter((e) => e.step < 3);
    const after = [ann('q5', { op: 'set_text', target: 'e11', text: 'x' }), ...t.events.filter((e) => e.step >= 3)];
    assert.deepEqual(staleSteps([...events, ...after], applyAnnotations(t.header, [...events, ...after])), []);
  });
});

describe('turns written anew', () => {
  const turns: { reasoning: { kind: 'think' | 'reflect' | 'reason'; text: string }[]; action: Action }[] = [
    { reasoning: [{ kind: 'think', text: 'plain' }], action: { kind: 'answer', text: 'Paris, France' } },
    {
      reasoning: [
        { kind: 'think', text: 'first\nline two' },
        { kind: 'reflect', text: 'wrong region' },
      ],
      action: { kind: 'image_search', scope: 'region', numbers: [0.125, 0.5, 0.75, 1] },
    },
    { reasoning: [], action: { kind: 'image_search', scope: 'full' } },
    { reasoning: [{ kind: 'reason', text: 'quotes " and <b>' }], action: { kind: 'text_search', query: 'a "quoted" query' } },
  ];

  it('read back the same in every dialect that can say them', () => {
    for (const id of ['gog', 'mmsearch-r1', 'tool-calls'] as const) {
      const dialect = getDialect(id);
      for (const turn of turns) {
        const out = renderTurnChecked(dialect, { ...turn, callId: 'call_7' });
        if (id === 'mmsearch-r1' && turn.action.kind === 'image_search' && turn.action.scope === 'region') {
          assert.ok('error' in out);
          continue;
        }
        assert.ok(!('error' in out), `${id}: ${JSON.stringify(out)}`);
        const back = dialect.parse(out);
        assert.deepEqual(back.action, turn.action, id);
        if (id === 'tool-calls') assert.equal(out.toolCalls?.[0]?.id, 'call_7');
      }
    }
  });

  it('are refused when a text holds the dialect’s own tags, which would read back as something else', () => {
    const out = renderTurnChecked(getDialect('gog'), {
      reasoning: [{ kind: 'think', text: 'I will <answer>guess</answer></think>' }],
      action: { kind: 'answer', text: 'x' },
    });
    assert.ok('error' in out);
    assert.match(out.error, /reads back differently/);
  });
});
