// `gog export` writes what the model was sent. A run in each dialect whose last turn is
// forced (the dialect's instruction to answer added to the request), labelled accepted and
// exported by the built `gog`: the exported sample's messages are, request by request, the
// messages the endpoint received, the last turn's instruction included, then the answer.
// A run whose last turn is not forced (the mmsearch-r1 preset) exports without it.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { getDialect } from '../../src/core/dialects';
import type { DialectId } from '../../src/core/trajectory';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { gog } from '../helpers/cli';
import { startFakeService, type FakeService } from '../helpers/fakeProviders';
import { photo, tempDir } from '../helpers/fixtures';
import { recording, TEST_MODEL, toolTurn } from '../helpers/recordings';

type Body = { messages: ChatMessage[]; tool_choice?: unknown };

const QUESTION: Record<DialectId, string> = {
  gog: 'Which cat is this? (gog)',
  'mmsearch-r1': 'Which cat is this? (mmsearch-r1)',
  'tool-calls': 'Which cat is this? (tool-calls)',
};
const TURNS = {
  gog: ['<think>I should look it up.</think><search><img></search>', '<think>It is Chelsea.</think><answer>Chelsea</answer>'],
  'mmsearch-r1': ['<reason>I should look it up.</reason>\n<text_search>famous cat</text_search>', '<reason>It is Chelsea.</reason>\n<answer>Chelsea</answer>'],
  'tool-calls': [toolTurn('image_search', {}, 'I should look it up.'), toolTurn('answer', { text: 'Chelsea' }, 'It is Chelsea.')],
};
const PRESET_QUESTION = 'Which cat is this? (the mmsearch-r1 preset)';

describe('gog export: the messages the model was sent, the last turn’s instruction included', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-export-sent-');
  let server: ReplayServer;
  /** A web text search whose results have images (the preset sends them as text only). */
  let serpapi: FakeService;
  const sent = new Map<string, Body[]>();

  before(async () => {
    serpapi = await startFakeService('serpapi');
    server = await startReplayServer(
      [
        ...(Object.keys(QUESTION) as DialectId[]).map((d) => recording(QUESTION[d], TURNS[d])),
        recording(PRESET_QUESTION, [
          '<reason>Look.</reason>\n<search><img></search>',
          '<reason>A fact.</reason>\n<text_search>Chelsea cat</text_search>',
          '<reason>Chelsea.</reason>\n<answer>Chelsea</answer>',
        ]),
      ],
      {
        onRequest: (b) => {
          const body = b as Body;
          const first = JSON.stringify(body.messages.find((m) => m.role === 'user')?.content ?? '');
          const q = [...Object.values(QUESTION), PRESET_QUESTION].find((x) => first.includes(x))!;
          sent.set(q, [...(sent.get(q) ?? []), body]);
        },
      },
    );
  });
  after(async () => {
    await Promise.all([server.close(), serpapi.close()]);
    tmp.cleanup();
  });

  /** Runs the question, labels it accepted and exports it; the openai line and the llama-factory sample. */
  async function runAndExport(
    question: string,
    flags: string[],
  ): Promise<{ line: { messages: ChatMessage[] }; sharegpt: { messages: { role: string; content: string }[] } }> {
    const run = path.join(tmp.dir, `run-${question.replace(/\W+/g, '-')}`);
    const asked = await gog(
      ['ask', '--image', photo('chelsea.png'), '--question', question, '--endpoint', server.url, '--model', TEST_MODEL, '--no-stream', '--out', run, ...flags],
      { cwd: tmp.dir, env: { SERPAPI_API_KEY: serpapi.key } },
    );
    assert.equal(asked.code, 0, asked.stderr);
    const labelled = await gog(['label', path.join(run, 'trajectory.jsonl'), 'accepted'], { cwd: tmp.dir });
    assert.equal(labelled.code, 0, labelled.stderr);
    const outs = { openai: `${run}-openai`, 'llama-factory': `${run}-lf` };
    for (const [format, out] of Object.entries(outs)) {
      const exported = await gog(['export', run, '--format', format, '--out', out], { cwd: tmp.dir });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /^exported 1 of 1 trajectories/);
    }
    const line = JSON.parse((await fs.readFile(path.join(outs.openai, 'gog_sft.jsonl'), 'utf8')).trim()) as { messages: ChatMessage[] };
    const [sharegpt] = JSON.parse(await fs.readFile(path.join(outs['llama-factory'], 'gog_sft.json'), 'utf8')) as {
      messages: { role: string; content: string }[];
    }[];
    return { line, sharegpt: sharegpt! };
  }

  for (const dialect of Object.keys(QUESTION) as DialectId[]) {
    it(`${dialect}: every request the endpoint received is the exported conversation up to that turn; the forced last request's instruction is in it`, async () => {
      const question = QUESTION[dialect];
      const { line, sharegpt } = await runAndExport(question, ['--dialect', dialect, '--max-turns', '2']);
      const requests = sent.get(question)!;
      assert.equal(requests.length, 2);
      const force = getDialect(dialect).forceAnswer(question).text;
      assert.ok(JSON.stringify(requests[1]!.messages).includes(JSON.stringify(force).slice(1, -1)), 'the last request was forced');
      assert.ok(!JSON.stringify(requests[0]!.messages).includes(JSON.stringify(force).slice(1, -1)));
      for (const [i, request] of requests.entries()) {
        const turns = request.messages.length;
        // Turn by turn: each request, message for message (images as the data URLs sent).
        for (let m = 0; m < turns; m++) assert.deepEqual(line.messages[m], request.messages[m], `request ${i + 1}, message ${m + 1}`);
      }
      // And after the last request, only the model's answer.
      assert.equal(line.messages.length, requests[1]!.messages.length + 1);
      assert.equal(line.messages.at(-1)!.role, 'assistant');
      // LLaMA-Factory's sample says the same: the turn before the answer ends with the instruction.
      const beforeAnswer = sharegpt.messages.at(-2)!;
      assert.ok(beforeAnswer.content.endsWith(force), `${beforeAnswer.role}: …${beforeAnswer.content.slice(-120)}`);
    });
  }

  it('a run whose last turn was asked plainly and whose text results went without images (the mmsearch-r1 preset) exports them so', async () => {
    const { line } = await runAndExport(PRESET_QUESTION, [
      '--preset',
      'mmsearch-r1',
      '--text-search',
      'serpapi',
      '--provider-url',
      `serpapi=${serpapi.origin}`,
      '--allow-private-urls',
    ]);
    const requests = sent.get(PRESET_QUESTION)!;
    assert.equal(requests.length, 3);
    for (const [i, request] of requests.entries())
      for (let m = 0; m < request.messages.length; m++) assert.deepEqual(line.messages[m], request.messages[m], `request ${i + 1}, message ${m + 1}`);
    const force = getDialect('mmsearch-r1').forceAnswer(PRESET_QUESTION).text;
    assert.ok(!JSON.stringify(line.messages).includes(force));
  });
});
