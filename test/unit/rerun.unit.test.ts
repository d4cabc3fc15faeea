// Re-run from a corrected step, over real HTTP: the branch is a new run beside its parent
// that names it, holds the parent's corrected steps before the step, carries out the
// corrected step (its box cropped from the real pixels, its edited reflection sent to the
// model) and continues with the live model; the parent is never touched.
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyAnnotations } from '../../src/core/annotations';
import type { ChatMessage } from '../../src/core/chat';
import { stepsOf, type StepRecord } from '../../src/core/conversation';
import type { ActionEvent, ModelTurnEvent, TrajectoryHeader } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { branchSettings, rerunFromStep } from '../../src/run/rerun';
import { QUERY_DEFAULTS, QueryError, type QuerySettings } from '../../src/run/runQuery';
import { annotate, label } from '../helpers/annotate';
import { gog } from '../helpers/cli';
import { copyRun, demoRuns } from '../helpers/demoRuns';
import { CORPUS, tempDir } from '../helpers/fixtures';
import { decodeRaw, meanAbsDiff, region } from '../helpers/images';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';

type Settings = Omit<QuerySettings, 'image' | 'question' | 'runDir'>;

type Turn = string | Pick<ModelTurnEvent, 'raw' | 'toolCalls'>;

/** A model on 127.0.0.1 that writes `turns` in order (text, or text and tool calls), whole, and records every request. */
async function model(turns: Turn[]): Promise<WireServer> {
  return startWireServer((_req, res, _body, n) => {
    const turn = turns[n - 1] ?? '<answer>out of script</answer>';
    res.writeHead(200, { 'content-type': 'application/json' });
    if (typeof turn === 'string' || !turn.toolCalls?.length) {
      res.end(completion(typeof turn === 'string' ? turn : turn.raw));
      return;
    }
    const reply = JSON.parse(completion(turn.raw)) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    reply.choices[0]!.message.tool_calls = turn.toolCalls;
    reply.choices[0]!.finish_reason = 'tool_calls';
    res.end(JSON.stringify(reply));
  });
}

function chatRequests(server: WireServer): { messages: ChatMessage[] }[] {
  return server.requests.filter((r) => r.url.endsWith('/chat/completions')).map((r) => JSON.parse(r.body) as { messages: ChatMessage[] });
}

async function settingsFor(trajectory: string, endpoint: string): Promise<Settings> {
  const { header } = await readTrajectory(trajectory);
  return branchSettings({ ...QUERY_DEFAULTS, corpusDir: CORPUS, cacheSearches: false, stream: false, endpoint }, header!);
}

async function corrected(trajectory: string): Promise<{ header: TrajectoryHeader; steps: StepRecord[] }> {
  const t = await readTrajectory(trajectory);
  return { header: t.header!, steps: stepsOf(applyAnnotations(t.header, t.events)) };
}

/** A step's content, without the times it was recorded at (a branch's own steps are new). */
function content(s: StepRecord | undefined): unknown {
  return JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === 't' || k === 'ms' || k === 'id' || k === 'usage' ? undefined : v)));
}

function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  return (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
}

describe('re-run from a corrected step', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-rerun-');
  after(tmp.cleanup);

  it('continues from the corrected gaze and reflection: before the step the parent, from it on the correction and the live model', async () => {
    const run = await copyRun('1-astronaut-patch', path.join(tmp.dir, 'a'));
    const before = readFileSync(run.trajectory);
    const { events } = await readTrajectory(run.trajectory);
    const id = (step: number, type: string) => events.find((e) => e.step === step && e.type === type)!.id!;
    const box: [number, number, number, number] = [96, 300, 260, 470];
    await annotate(
      run.trajectory,
      { op: 'set_text', target: id(1, 'reflection'), text: 'Corrected glance: the portrait has a flag, a shuttle model and a patch.' },
      { op: 'set_box', target: id(2, 'action'), box },
      { op: 'set_text', target: id(2, 'reflection'), text: 'EDITED: the patch on her chest names the flight; search a wider box around it.' },
      label('needs-fix'),
    );
    const annotated = readFileSync(run.trajectory);
    const parent = await corrected(run.trajectory);

    const server = await model([
      '<think>The wider crop matches the STS-93 patch.</think>\n<text_search>STS-93 payload telescope</text_search>',
      '<think>STS-93 deployed Chandra.</think>\n<answer>Chandra X-ray Observatory</answer>',
    ]);
    let outcome;
    try {
      outcome = await rerunFromStep(await settingsFor(run.trajectory, server.url), { trajectory: run.trajectory, fromStep: 2 });
    } finally {
      await server.close();
    }
    assert.equal(outcome.stopReason, 'answered', outcome.error);
    assert.equal(outcome.answer, 'Chandra X-ray Observatory');

    // Written beside the parent, which is left exactly as it was.
    assert.equal(path.dirname(outcome.runDir), path.join(run.runDir, 'branches'));
    assert.match(path.basename(outcome.runDir), /^s2-/);
    assert.deepEqual(readFileSync(run.trajectory), annotated);
    assert.ok(annotated.subarray(0, before.length).equals(before));

    const branch = await corrected(outcome.branch);
    assert.deepEqual(branch.header.parent, { file: path.relative(outcome.runDir, run.trajectory), id: parent.header.id, step: 2 });
    assert.equal(path.resolve(outcome.runDir, branch.header.parent.file), run.trajectory);
    assert.equal(branch.header.question, parent.header.question);

    // Before the step: the parent's corrected step, ids and all (its correction carried over).
    assert.deepEqual(
      branch.steps.filter((s) => s.step < 2),
      parent.steps.filter((s) => s.step < 2),
    );
    assert.match(branch.steps[0]!.reasoning[0]!.text, /^Corrected glance/);
    // From the step on: different from the parent's.
    for (const step of [2, 3]) assert.notDeepEqual(content(branch.steps.find((s) => s.step === step)), content(parent.steps.find((s) => s.step === step)));
    const s2 = branch.steps.find((s) => s.step === 2)!;
    // The corrected box as the model's coordinates name it (whole pixels of the 504×504 image sent): within a pixel of the one drawn.
    const gaze = (s: StepRecord) => (s.action!.action as Extract<ActionEvent['action'], { kind: 'image_search' }>).box!;
    assert.deepEqual(gaze(s2).model, gaze(parent.steps[1]!).model);
    assert.ok(
      gaze(s2).original.every((v, i) => Math.abs(v - box[i]!) <= 1),
      `${gaze(s2).original.join(',')} vs ${box.join(',')}`,
    );
    assert.match(s2.reasoning[0]!.text, /^EDITED: the patch/);
    assert.match(s2.turn!.raw, /EDITED: the patch[\s\S]*<bbox>/);
    assert.equal(branch.steps.find((s) => s.step === 3)!.turn!.raw.includes('STS-93 payload telescope'), true);
    assert.equal(branch.steps.length, 4);

    // The gaze searched the corrected box of the real pixels, not the parent's.
    const crop = s2.action!.action.kind === 'image_search' ? s2.action!.action.crop! : '';
    const got = await decodeRaw(path.join(outcome.runDir, crop));
    const image = await decodeRaw(path.join(run.runDir, parent.header.image.path));
    const searched = gaze(s2).original;
    assert.equal(got.width, searched[2] - searched[0]);
    assert.ok(meanAbsDiff(got, region(image, searched)) < 6, 'the crop is the corrected box');

    // What the model was sent first: the parent's corrected conversation, then the corrected turn and its new evidence.
    const requests = chatRequests(server);
    assert.equal(requests.length, 2);
    const first = requests[0]!.messages;
    const assistant = first.filter((m) => m.role === 'assistant').map(textOf);
    assert.equal(assistant.length, 2);
    assert.match(assistant[0]!, /<think>Corrected glance: the portrait/);
    assert.match(assistant[1]!, /<reflect>EDITED: the patch on her chest/);
    assert.ok(assistant[1]!.includes(`[${gaze(s2).model.join(', ')}]`), assistant[1]);
    assert.ok(!assistant[1]!.includes('[128, 340, 210, 420]'), "the parent's box is not sent");
    assert.ok(!JSON.stringify(first).includes('That was the wrong region'), "the parent's reflection is not sent");
    assert.equal(first.at(-1)!.role, 'user', 'the new search came back to the model');
  });

  it('reproduces the parent exactly when nothing is corrected and the model writes the same turns, in every dialect', async () => {
    const runs = (await demoRuns()).filter((r) => r.requests.length > 1);
    assert.deepEqual(runs.map((r) => r.name).sort(), ['1-astronaut-patch', '2-rocket-dscovr', '3-hubble-galaxies', '4-chelsea-name']);
    for (const parentRun of runs) {
      const run = await copyRun(parentRun.name, path.join(tmp.dir, 'b'));
      const parent = await corrected(run.trajectory);
      const fromStep = parent.steps.length - 1;
      const server = await model(parent.steps.filter((s) => s.step > fromStep).map((s) => s.turn!));
      let outcome;
      try {
        const out = path.join(tmp.dir, `b-${parentRun.name}`);
        outcome = await rerunFromStep(await settingsFor(run.trajectory, server.url), { trajectory: run.trajectory, fromStep, out });
        assert.equal(outcome.runDir, out);
      } finally {
        await server.close();
      }
      const branch = await corrected(outcome.branch);
      assert.deepEqual(branch.steps.map(content), parent.steps.map(content), parentRun.name);
      // Byte for byte what the agent sent in the parent run at those turns.
      assert.deepEqual(
        chatRequests(server).map((r) => r.messages),
        parentRun.requests.slice(fromStep).map((r) => r.messages),
        parentRun.name,
      );
    }
  });

  it('refuses, writing nothing, a step that is not there or dropped, a folder in use, another dialect, too few turns', async () => {
    const run = await copyRun('1-astronaut-patch', path.join(tmp.dir, 'c'));
    await annotate(run.trajectory, { op: 'drop_step', target: 3 });
    const server = await model([]);
    try {
      const settings = await settingsFor(run.trajectory, server.url);
      const refuse = async (s: Settings, fromStep: number, pattern: RegExp, out?: string) => {
        await assert.rejects(rerunFromStep(s, { trajectory: run.trajectory, fromStep, ...(out ? { out } : {}) }), (e: Error) => {
          assert.ok(e instanceof QueryError, e.message);
          assert.match(e.message, pattern);
          assert.doesNotMatch(e.message, /\n/);
          return true;
        });
      };
      await refuse(settings, 9, /no step 9 \(its steps are 1–4\)/);
      await refuse(settings, 3, /step 3 is dropped/);
      await refuse(settings, 0, /whole number from 1/);
      await refuse({ ...settings, dialect: 'tool-calls' }, 2, /continues its parent's conversation, in its dialect gog/);
      await refuse({ ...settings, maxTurns: 1 }, 2, /max turns \(1\) is below the step/);
      const used = path.join(tmp.dir, 'c-used');
      mkdirSync(used);
      writeFileSync(path.join(used, 'notes.txt'), 'mine');
      await refuse(settings, 2, /not empty/, used);
      assert.deepEqual(readdirSync(used), ['notes.txt']);
      await refuse(settings, 2, /already holds a run/, run.runDir);
      assert.equal(chatRequests(server).length, 0);
    } finally {
      await server.close();
    }
    assert.equal(existsSync(path.join(run.runDir, 'branches')), false);
  });

  it('keeps what the branch recorded when it is cancelled mid-turn', async () => {
    const run = await copyRun('1-astronaut-patch', path.join(tmp.dir, 'e'));
    const parent = await corrected(run.trajectory);
    // A model that never answers: the branch is cancelled while it waits for turn 3.
    const server = await startWireServer(() => undefined);
    const controller = new AbortController();
    let outcome;
    try {
      outcome = await rerunFromStep(
        await settingsFor(run.trajectory, server.url),
        { trajectory: run.trajectory, fromStep: 2 },
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.kind === 'status' && e.step === 3) setTimeout(() => controller.abort(), 50);
          },
        },
      );
    } finally {
      await server.close();
    }
    assert.equal(outcome.stopReason, 'cancelled');
    const branch = await corrected(outcome.branch);
    assert.deepEqual(branch.steps[0], parent.steps[0]);
    assert.deepEqual(content(branch.steps[1]), content(parent.steps[1]), 'step 2 carried out again, as recorded');
    // Turn 3 was asked for and never came: no turn recorded for it, and the run says it was cancelled.
    assert.deepEqual(
      branch.steps.filter((s) => s.turn).map((s) => s.step),
      [1, 2],
    );
    const last = (await readTrajectory(outcome.branch)).events.at(-1);
    assert.ok(last?.type === 'final' && last.stopReason === 'cancelled', JSON.stringify(last));
  });

  it("reads nothing from outside the parent's folder: a linked image is refused in one line, nothing written", async () => {
    const run = await copyRun('1-astronaut-patch', path.join(tmp.dir, 'f'));
    const outside = path.join(tmp.dir, 'outside.jpg');
    copyFileSync(path.join(run.runDir, 'images', 's1-crop.jpg'), outside);
    rmSync(path.join(run.runDir, 'images', 's1-crop.jpg'));
    symlinkSync(outside, path.join(run.runDir, 'images', 's1-crop.jpg'));
    const server = await model([]);
    try {
      await assert.rejects(rerunFromStep(await settingsFor(run.trajectory, server.url), { trajectory: run.trajectory, fromStep: 2 }), (e: Error) => {
        assert.ok(e instanceof QueryError);
        assert.match(e.message, /^cannot re-run: images\/s1-crop\.jpg .*outside/);
        return true;
      });
      assert.equal(chatRequests(server).length, 0);
    } finally {
      await server.close();
    }
    assert.equal(existsSync(path.join(run.runDir, 'branches')), false);
  });

  it('gog rerun: the flags of gog ask, the parent’s budget by default, one JSON line', async () => {
    const run = await copyRun('1-astronaut-patch', path.join(tmp.dir, 'd'));
    const server = await model(['<answer>Chandra</answer>']);
    const out = path.join(tmp.dir, 'd-out');
    let result;
    try {
      result = await gog([
        'rerun',
        run.trajectory,
        '--from-step',
        '3',
        '--out',
        out,
        '--endpoint',
        server.url,
        '--corpus',
        CORPUS,
        '--no-cache',
        '--no-stream',
        '--json',
      ]);
    } finally {
      await server.close();
    }
    assert.equal(result.code, 0, result.stderr);
    const line = JSON.parse(result.stdout.trim()) as { answer: string; trajectory: string; turns: number };
    assert.equal(line.answer, 'Chandra');
    assert.equal(line.trajectory, path.join(out, 'trajectory.jsonl'));
    assert.equal(line.turns, 4);
    const branch = await corrected(line.trajectory);
    assert.equal(branch.header.agent.maxTurns, 8);
    assert.equal(branch.header.parent!.step, 3);

    const bad = await gog(['rerun', run.trajectory, '--from-step', 'two']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from-step takes a step number from 1; got "two"/);
    const missing = await gog(['rerun', path.join(tmp.dir, 'nope.jsonl'), '--from-step', '1']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^gog: .*nope\.jsonl does not exist\n$/);
  });
});
