// Terminal escapes from outside reach no terminal: the built `gog`, run as a user would on
// a dataset whose category, id, question and image path hold escape sequences (retitle the
// window, clear the screen, the C1 CSI U+009B, a right-to-left override), in a file and a
// run folder named with them, answered by a model that sends them too; then the runs
// compared, a trajectory labelled with them as tag and note, reports, and every other
// command given such names. Stdout and stderr hold no raw ESC, no C1 control and no bidi
// control, and the text is still there, written as visible \uXXXX escapes.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gog, type Run } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { assertTerminalSafe } from '../helpers/terminalChecks';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\u2066';
/** How EVIL is shown once cleaned. */
const SHOWN = '\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u2066';

describe('terminal escapes from datasets, labels, file names and models never reach the terminal', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-escapes-');
  let model: WireServer;
  let answer = '';
  let data: string;
  let dataset: string;
  let runA: string;
  let runB: string;

  const checked = async (args: string[], what: string): Promise<Run> => {
    const run = await gog(args, { cwd: tmp.dir });
    assert.ok(run.code === 0 || run.code === 1 || run.code === 2, `${what}: ended by ${run.signal ?? run.code}\n${run.stderr}`);
    assertTerminalSafe(run, what);
    return run;
  };

  before(async () => {
    buildOnce();
    model = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(`<think>${EVIL}</think><answer>${answer}</answer>`));
    });
    data = path.join(tmp.dir, `data${EVIL}`);
    await fs.mkdir(data);
    await fs.copyFile(photo('coffee.png'), path.join(data, `cup${EVIL}.png`));
    dataset = path.join(data, `set${EVIL}.jsonl`);
    const rows = [
      { id: `a${EVIL}`, q: `What drink is this?${EVIL}`, a: 'coffee', img: `cup${EVIL}.png`, cat: `drinks${EVIL}` },
      { id: `b${EVIL}`, q: 'What cup is this?', a: 'mug', img: `missing${EVIL}.png`, cat: 'cups' },
    ];
    await fs.writeFile(dataset, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"broken${EVIL}\n`);
    runA = path.join(tmp.dir, `runA${EVIL}`);
    runB = path.join(tmp.dir, `runB${EVIL}`);
  });
  after(async () => {
    await model.close();
    tmp.cleanup();
  });

  const bench = (out: string, extra: string[] = []) =>
    checked(['bench', dataset, '--map', 'question=q,answer=a,image=img,id=id,category=cat', '--endpoint', model.url, '--out', out, ...extra], 'gog bench');

  it('gog bench: the dataset’s file name, category, id and image path, and the run folder’s name', async () => {
    answer = 'coffee';
    const run = await bench(runA);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`· drinks${SHOWN}`), run.stdout);
    assert.ok(run.stderr.includes(`set${SHOWN}.jsonl: line 2: image not found: missing${SHOWN}.png (skipped)`), run.stderr);
    answer = `tea ${EVIL}`;
    assert.equal((await bench(runB, ['--json'])).code, 0);
  });

  it('gog compare, as text and as JSON: ids, categories, questions and answers from the runs', async () => {
    const text = await checked(['compare', runA, runB], 'gog compare');
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes(`B: "tea ${SHOWN}" wrong`), text.stdout);
    const json = await checked(['compare', runA, runB, '--json'], 'gog compare --json');
    // The escapes are JSON's own: the line reads back as the same data.
    const parsed = JSON.parse(json.stdout) as { regressions: { id: string; category: string }[] };
    assert.equal(parsed.regressions[0]!.id, `a${EVIL}`);
    assert.equal(parsed.regressions[0]!.category, `drinks${EVIL}`);
  });

  it('gog label with an escape in the tag, the note and the file name; gog report of it and of the run', async () => {
    const trajectory = path.join(tmp.dir, `t${EVIL}.jsonl`);
    await fs.copyFile(path.join(runA, 'samples', '0-0', 'trajectory.jsonl'), trajectory);
    const label = await checked(['label', trajectory, 'needs-fix', '--tag', `tag${EVIL}`, '--note', `note${EVIL}`], 'gog label');
    assert.equal(label.code, 0, label.stderr);
    assert.ok(label.stdout.includes(`t${SHOWN}.jsonl: needs-fix [tag${SHOWN}]`), label.stdout);
    assert.equal((await checked(['report', trajectory, '--out', path.join(tmp.dir, `report${EVIL}.html`)], 'gog report (trajectory)')).code, 0);
    assert.equal((await checked(['report', runA, '--out', path.join(tmp.dir, `run-report${EVIL}.html`)], 'gog report (run)')).code, 0);
  });

  it('gog ask: the image’s file name, the question, and the model’s answer in --json', async () => {
    answer = `coffee ${EVIL}`;
    const image = path.join(data, `cup${EVIL}.png`);
    const steps = await checked(
      ['ask', '--image', image, '--question', `What?${EVIL}`, '--endpoint', model.url, '--out', path.join(tmp.dir, `ask${EVIL}`)],
      'gog ask',
    );
    assert.equal(steps.code, 0, steps.stderr);
    const json = await checked(
      ['ask', '--image', image, '--question', 'What?', '--endpoint', model.url, '--json', '--out', path.join(tmp.dir, 'ask-json')],
      'gog ask --json',
    );
    assert.equal((JSON.parse(json.stdout) as { answer: string }).answer, `coffee ${EVIL}`);
  });

  it('every other command, given names with escapes: errors and warnings name them cleaned', async () => {
    const odd = path.join(tmp.dir, `odd${EVIL}`);
    await fs.writeFile(`${odd}.jsonl`, `{"messages": "${EVIL}"}\n`);
    const runs = [
      await checked([`${EVIL}`], 'an unknown command'),
      await checked(['ask', `--${EVIL}`], 'an unknown flag'),
      await checked(['report', `${odd}-missing`], 'gog report of nothing'),
      await checked(['cache', 'stats', '--cache', odd], 'gog cache stats'),
      await checked(['export', `${odd}.jsonl`, '--format', 'openai', '--out', `${odd}-export`], 'gog export'),
      await checked(['import', `${odd}.jsonl`, '--format', 'openai-chat', '--out', `${odd}-import`], 'gog import'),
      await checked(['merge', runA, '--out', `${odd}-merged`], 'gog merge'),
      await checked(['export-rl', runA, '--out', `${odd}.parquet`], 'gog export-rl'),
      await checked(['rerun', `${odd}.jsonl`, '--from-step', '1'], 'gog rerun'),
      await checked(['replay', `${odd}.jsonl`, '--port', '1'], 'gog replay'),
    ];
    // The names are there, shown: each command said something about what it was given.
    assert.ok(runs.filter((r) => (r.stdout + r.stderr).includes(SHOWN)).length >= 6, runs.map((r) => r.stderr).join('\n'));
  });
});
