// README's "Run a benchmark" commands, run as written (the endpoints swapped for servers on
// 127.0.0.1) in a folder holding the files they name: every one must succeed.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readBenchRun } from '../../src/data/benchRun';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { writeBenchmark } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { ROOT, tempDir } from '../helpers/fixtures';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';

const section = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('## Run a benchmark')[1]!.split('\n## ')[0]!;
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));

/** Pickled strings as MMSearch-R1 ships them in mmsearch_r1/prompts/ (their gist, in its format). */
const PICKLES: Record<string, string> = {
  round_1_user:
    'Reason in <reason>...</reason>, search with <search><img></search> or <text_search>query</text_search>, answer in <answer>...</answer>.\nHere is the image and the question:\n<image> ',
  after_image_search: 'Extract the relevant visual element from the results; if a text search is needed, use <text_search>.',
  after_text_search: 'Continue reasoning; answer in <answer>...</answer>.',
};

describe("README's benchmark commands", function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-readme-');
  let model: ReplayServer;
  let judge: WireServer;
  before(async () => {
    const fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'data'), 12);
    await writeBenchmark('mapped', path.join(tmp.dir, 'data'), 12);
    model = await startReplayServer(fx.recordings);
    judge = await startWireServer(
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion('<judge>Yes</judge><reason>same</reason>')),
      'gpt-4o',
    );
    await fs.mkdir(path.join(tmp.dir, 'mmsearch_r1', 'prompts'), { recursive: true });
    for (const [name, text] of Object.entries(PICKLES))
      execFileSync('python3', [
        '-c',
        `import pickle, sys; pickle.dump(sys.argv[2], open(sys.argv[1], 'wb'))`,
        path.join(tmp.dir, 'mmsearch_r1', 'prompts', `${name}_prompt_qwenvl.pkl`),
        text,
      ]);
  });
  after(async () => {
    await model.close();
    await judge.close();
    tmp.cleanup();
  });

  it('has gog bench, merge, export-rl and the prompts one-liner', () => {
    for (const c of ['npx gog bench', 'npx gog merge', 'npx gog export-rl', 'python3 -c "import pickle'])
      assert.ok(
        commands.some((l) => l.includes(c)),
        c,
      );
  });

  it('runs each as written, in order', async () => {
    for (const line of commands) {
      if (line.startsWith('mkdir')) {
        execFileSync('bash', ['-c', line], { cwd: tmp.dir });
        continue;
      }
      const args = line
        .replace(/^npx gog /, '')
        .replace('http://127.0.0.1:8000/v1', model.url)
        .replace('https://api.openai.com/v1', judge.url)
        .split(' ');
      const run = await gog(args, { cwd: tmp.dir });
      assert.equal(run.code, 0, `${line}\n${run.stderr}`);
    }
    // What the commands made: a finished run, a judged one, a merge, an export, and prompts from the pickles.
    const merged = await readBenchRun(path.join(tmp.dir, 'runs', 'merged'));
    assert.equal(merged.results.length, 12);
    const judged = await readBenchRun(path.join(tmp.dir, 'runs', 'judged'));
    assert.ok(judged.results.every((r) => r.scores.judge?.reply === '<judge>Yes</judge><reason>same</reason>'));
    await fs.access(path.join(tmp.dir, 'hard.parquet'));
    assert.equal(await fs.readFile(path.join(tmp.dir, 'prompts', 'mmsearch-r1', 'first.txt'), 'utf8'), PICKLES.round_1_user);
    const r1 = await readBenchRun(path.join(tmp.dir, 'runs', 'mmsearch-r1'));
    const trajectory = await fs.readFile(path.join(tmp.dir, 'runs', 'mmsearch-r1', r1.results[0]!.trajectory), 'utf8');
    assert.ok(trajectory.split('\n')[0]!.includes(JSON.stringify(PICKLES.after_text_search)), 'the trajectory records the prompt texts');
  });
});
