// Prompt files: a dialect's wording read from a folder (MMSearch-R1's published prompts,
// say), sent as written, and recorded in the trajectory header; our wording by default.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer } from '../../src/model/replayServer';
import { loadPromptFiles } from '../../src/run/promptFiles';
import { QUERY_DEFAULTS, QueryError, runQuery } from '../../src/run/runQuery';
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
});
