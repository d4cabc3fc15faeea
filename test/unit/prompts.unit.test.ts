// Prompt files: a dialect's wording read from a folder (MMSearch-R1's published prompts,
// say), sent as written, and recorded in the trajectory header; our wording by default.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer } from '../../src/model/replayServer';
import { getDialect, PROMPT_NAMES, type PromptTemplates } from '../../src/core/dialects';
import { recordedPromptContext, recordedTemplates } from '../../src/core/dialects/recordedPrompts';
import { messageTexts } from '../../src/core/dialects/templates';
import { DIALECT_IDS, type TrajectoryHeader } from '../../src/core/trajectory';
import { prepareSample } from '../../src/data/export/trainingSample';
import { loadPromptFiles } from '../../src/run/promptFiles';
import { branchSettings, rerunFromStep } from '../../src/run/rerun';
import { QUERY_DEFAULTS, QueryError, runQuery } from '../../src/run/runQuery';
import { annotate, label } from '../helpers/annotate';
import { CORPUS, photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';

type Body = { messages: ChatMessage[] };

// Shaped like MMSearch-R1's round-1 pickle: instructions, then "<image> " and the question appended.
const ROUND1 = 'Answer the question. Reason in <reason></reason>. Search with <search><img></search>.\nHere is the image and the question:\n<image> ';

describe('prompt files', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await fs.mkdtemp(path.join(tmp.dir, 'prompts-'));
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.writeFile(path.join(dir, rel), text);
    }
    return dir;
  }

  it("reads the dialect's subfolder first, then the folder; keeps every character but an editor's final newline", async () => {
    const dir = await folder({ 'mmsearch-r1/first.txt': ROUND1, 'force-answer.txt': 'Answer now: {question}\n', 'gog/first.txt': 'not this one' });
    const loaded = await loadPromptFiles(dir, 'mmsearch-r1');
    assert.deepEqual(loaded.templates, { first: ROUND1, 'force-answer': 'Answer now: {question}' });
    assert.deepEqual(loaded.files, { first: path.join('mmsearch-r1', 'first.txt'), 'force-answer': 'force-answer.txt' });
    assert.match(loaded.sha256, /^[0-9a-f]{64}$/);
  });

  it('refuses a file that links outside the folder, a folder with no prompt file, and a missing folder, each in one line', async () => {
    const outside = path.join(tmp.dir, 'secret.txt');
    await fs.writeFile(outside, 'secret');
    const dir = await folder({});
    await fs.symlink(outside, path.join(dir, 'first.txt'));
    await assert.rejects(loadPromptFiles(dir, 'gog'), /first\.txt links outside the prompts folder/);
    await assert.rejects(loadPromptFiles(await folder({ 'notes.md': 'x' }), 'gog'), /has none of first\.txt, after-image-search\.txt/);
    await assert.rejects(loadPromptFiles(path.join(tmp.dir, 'nope'), 'gog'), /is not a folder/);
  });

  it('sends the texts as written, over HTTP, and records them in the header', async () => {
    const dir = await folder({
      'mmsearch-r1/first.txt': ROUND1,
      'mmsearch-r1/after-image-search.txt': 'Now, about "{question}": answer or <text_search>.',
      'mmsearch-r1/after-text-search.txt': 'Answer, or say "Unable to answer due to lack of relevant information".',
    });
    const question = 'Whose mission patch is on the sleeve?';
    const rec = recording(question, ['<reason>Look it up.</reason><search><img></search>', '<reason>Found.</reason><answer>Eileen Collins</answer>']);
    const requests: Body[] = [];
    const server = await startReplayServer([rec], { onRequest: (b) => requests.push(b as Body) });
    try {
      const outcome = await runQuery({
        ...QUERY_DEFAULTS,
        image: photo('astronaut.png'),
        question,
        endpoint: server.url,
        model: rec.model,
        dialect: 'mmsearch-r1',
        corpusDir: CORPUS,
        promptsDir: dir,
        runDir: path.join(tmp.dir, 'run'),
      });
      assert.equal(outcome.answer, 'Eileen Collins');
      // The opening: one user turn, the template's text, the image where <image> stood, the question right after.
      const opening = requests[0]!.messages;
      assert.equal(opening.length, 1);
      const parts = opening[0]!.content as { type: string; text?: string }[];
      assert.deepEqual(
        parts.map((p) => p.type),
        ['text', 'image_url', 'text'],
      );
      assert.equal(
        parts[0]!.text,
        'Answer the question. Reason in <reason></reason>. Search with <search><img></search>.\nHere is the image and the question:\n',
      );
      assert.equal(parts[2]!.text, ` ${question}`);
      // After the image search: the evidence, the question, then the file's words with {question} filled in.
      const evidence = requests[1]!.messages.at(-1)!;
      const text =
        typeof evidence.content === 'string' ? evidence.content : (evidence.content as { type: string; text?: string }[]).map((p) => p.text ?? '').join('');
      assert.ok(text.endsWith(`Original user's question: ${question}\nNow, about "${question}": answer or <text_search>.`), text);

      const { header } = await readTrajectory(outcome.trajectory);
      assert.equal(header!.prompts!.source, await fs.realpath(dir));
      assert.match(header!.prompts!.sha256!, /^[0-9a-f]{64}$/);
      assert.deepEqual(header!.prompts!.opening, [
        {
          role: 'user',
          text: `Answer the question. Reason in <reason></reason>. Search with <search><img></search>.\nHere is the image and the question:\n<image> ${question}`,
        },
      ]);
      assert.equal(header!.prompts!.afterImageSearch, `Now, about "${question}": answer or <text_search>.`);
      // No file for the last-turn line: the dialect's own.
      assert.equal(header!.prompts!.forceAnswer, 'This is your last turn: give your final answer now in <answer>…</answer>.');
    } finally {
      await server.close();
    }
  });

  it('records the built-in wording when no folder is given, and a bad folder stops the run before it starts', async () => {
    const question = 'What is in the cup?';
    const rec = recording(question, ['<think>Coffee.</think><answer>coffee</answer>']);
    const server = await startReplayServer([rec]);
    try {
      const base = { ...QUERY_DEFAULTS, image: photo('coffee.png'), question, endpoint: server.url, model: rec.model, corpusDir: CORPUS };
      const outcome = await runQuery({ ...base, runDir: path.join(tmp.dir, 'built-in') });
      const { header } = await readTrajectory(outcome.trajectory);
      assert.equal(header!.prompts!.source, 'built-in');
      assert.equal(header!.prompts!.opening[0]!.role, 'system');
      assert.equal(header!.prompts!.opening[1]!.text, `<image>Question: ${question}`);
      await assert.rejects(
        runQuery({ ...base, promptsDir: path.join(tmp.dir, 'missing'), runDir: path.join(tmp.dir, 'never') }),
        (e: unknown) => e instanceof QueryError && /is not a folder/.test(e.message),
      );
      await assert.rejects(fs.stat(path.join(tmp.dir, 'never')), 'nothing written');
    } finally {
      await server.close();
    }
  });

  it('a run given prompt files is re-run from a step and exported in its own wording, not the built-in one', async () => {
    const dir = await folder({
      'mmsearch-r1/first.txt': ROUND1,
      'mmsearch-r1/after-image-search.txt': 'Now, about "{question}": answer or <text_search>.',
      'mmsearch-r1/force-answer.txt': 'Last turn. {question} Answer now.',
    });
    // Another folder in the branch's settings: the parent's record wins over it.
    const other = await folder({ 'mmsearch-r1/after-image-search.txt': 'NOT THE PARENT WORDING' });
    const question = 'Whose mission patch is on the sleeve?';
    const rec = recording(question, ['<reason>Look it up.</reason><search><img></search>', '<reason>Found.</reason><answer>Eileen Collins</answer>']);
    const requests: Body[] = [];
    const server = await startReplayServer([rec], { onRequest: (b) => requests.push(b as Body) });
    try {
      const base = { ...QUERY_DEFAULTS, endpoint: server.url, model: rec.model, dialect: 'mmsearch-r1' as const, corpusDir: CORPUS, cacheSearches: false };
      const parent = await runQuery({ ...base, image: photo('astronaut.png'), question, promptsDir: dir, runDir: path.join(tmp.dir, 'worded') });
      assert.equal(parent.answer, 'Eileen Collins');
      const parentRequests = requests.splice(0);
      const { header } = await readTrajectory(parent.trajectory);

      // From step 1: its image search is carried out again, then the model is asked in the parent's words.
      const branch = await rerunFromStep(branchSettings({ ...base, promptsDir: other }, header!), { trajectory: parent.trajectory, fromStep: 1 });
      assert.equal(branch.answer, 'Eileen Collins');
      // The branch's request is the parent's second request, word for word.
      assert.deepEqual(requests[0]!.messages, parentRequests[1]!.messages);
      const branchHeader = (await readTrajectory(branch.trajectory)).header!;
      assert.deepEqual(branchHeader.prompts, header!.prompts);

      await annotate(parent.trajectory, label('accepted'));
      const prepared = await prepareSample(parent.trajectory, { includeRejected: false });
      assert.ok(prepared.ok, prepared.ok ? '' : prepared.message);
      const texts = messageTexts(prepared.sample.conversation.messages.map((m) => m.message));
      assert.deepEqual(texts[0], header!.prompts!.opening[0]);
      assert.ok(texts[2]!.text.endsWith(`Now, about "${question}": answer or <text_search>.`), texts[2]!.text);
    } finally {
      await server.close();
    }
  });

  it('reads back from a header the templates that made its texts, in every dialect, a question with braces included', () => {
    const templates: PromptTemplates = {
      first: 'Look: <image> then answer {question} briefly.',
      'after-image-search': 'Image results for {question} are above.',
      'after-text-search': 'Text results; the question was {question}.',
      'force-answer': 'Answer {question} now.',
    };
    for (const id of DIALECT_IDS) {
      for (const question of ['Which bridge is this?', 'What does {question} mean in {braces}?']) {
        for (const names of [PROMPT_NAMES, ['after-text-search'] as const]) {
          const given = Object.fromEntries(names.map((n) => [n, templates[n]!])) as PromptTemplates;
          const header = {
            question,
            model: { dialect: id, boxFormat: 'qwen-abs' },
            image: { sent: { width: 512, height: 384 } },
            agent: { maxTurns: 6 },
          } as unknown as TrajectoryHeader;
          const dialect = getDialect(id, given);
          header.prompts = {
            source: '/prompts',
            opening: messageTexts(dialect.initialMessages(recordedPromptContext(header))),
            ...dialect.promptTexts(question),
          };
          const back = recordedTemplates(header);
          assert.equal(back.problem, undefined, `${id}: ${back.problem}`);
          const again = getDialect(id, back.templates);
          assert.deepEqual(messageTexts(again.initialMessages(recordedPromptContext(header))), header.prompts.opening, id);
          assert.deepEqual(again.promptTexts(question), dialect.promptTexts(question), id);
          // Only what differs from the dialect's own wording comes back.
          assert.deepEqual(Object.keys(back.templates).sort(), [...names].sort(), id);
        }
        const builtIn = { ...({} as TrajectoryHeader), question, model: { dialect: id }, prompts: { source: 'built-in' } } as unknown as TrajectoryHeader;
        assert.deepEqual(recordedTemplates(builtIn), { templates: {} });
      }
    }
  });
});
