// SIGINT and SIGTERM in the middle of a command that writes an output folder: the built
// `gog` stops at once (well under 2 s), exits 130 or 143, and leaves --out absent or whole,
// never half made, nothing temporary beside it, so the same command run again into the same
// --out just works.
import { strict as assert } from 'node:assert';
import { type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { syntheticResults } from '../helpers/benchRuns';
import { gog, type Run } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

/** A copy of `from` made of hard links (no disk spent on the bytes). */
async function linkTree(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    if (e.isDirectory()) await linkTree(path.join(from, e.name), path.join(to, e.name));
    else if (e.isFile()) await fs.link(path.join(from, e.name), path.join(to, e.name));
  }
}

/** Entries beside `out` that belong to it: itself, or a folder being written for it. */
async function traces(out: string): Promise<string[]> {
  const name = path.basename(out);
  return (await fs.readdir(path.dirname(out))).filter((n) => n === name || n.startsWith(`.${name}.`));
}

/**
 * Runs the command, and once `started` finds its work on disk, sends `signal`. Returns the
 * run and how long the command took to end after the signal.
 */
async function interrupted(args: string[], signal: NodeJS.Signals, started: () => Promise<boolean>): Promise<{ run: Run; after: number }> {
  let sent = 0;
  const run = await gog(args, {
    started: (child: ChildProcess) => {
      let done = false;
      child.on('close', () => (done = true));
      const look = async (): Promise<void> => {
        while (!done) {
          if (await started()) {
            sent = Date.now();
            child.kill(signal);
            return;
          }
          await new Promise((r) => setImmediate(r));
        }
      };
      void look();
    },
  });
  assert.ok(sent > 0, `the command ended before its work was seen: ${run.stderr}`);
  return { run, after: Date.now() - sent };
}

describe('signals: an output folder is whole or absent, and a rerun into it works', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-signals-');
  let runs: string;

  before(async () => {
    buildOnce();
    const demo = path.join(tmp.dir, 'demo');
    const made = await gog(['demo', '--out', demo]);
    assert.equal(made.code, 0, made.stderr);
    const names = (await fs.readdir(demo)).sort();
    for (const n of names) assert.equal((await gog(['label', path.join(demo, n, 'trajectory.jsonl'), 'accepted'])).code, 0);
    // Many trajectories, quickly: hard-linked copies of the demo runs.
    runs = path.join(tmp.dir, 'runs');
    for (let i = 0; i < 30; i++) for (const n of names) await linkTree(path.join(demo, n), path.join(runs, `n${String(i).padStart(4, '0')}-${n}`));
    // And, first in the order, some large ones (a 40 MB event each): slow to read, as a real large run is.
    const big = path.join(tmp.dir, 'big');
    await linkTree(path.join(demo, names[0]!), big);
    const lines = (await fs.readFile(path.join(big, 'trajectory.jsonl'), 'utf8')).trimEnd().split('\n');
    const notice = JSON.stringify({ type: 'notice', step: 1, t: '2026-11-24T10:00:00.000Z', id: 'big', message: 'x'.repeat(40 * 1024 * 1024) });
    await fs.rm(path.join(big, 'trajectory.jsonl'));
    await fs.writeFile(path.join(big, 'trajectory.jsonl'), [lines[0], notice, ...lines.slice(1)].join('\n') + '\n');
    for (let i = 0; i < 12; i++) await linkTree(big, path.join(runs, `a-big-${String(i).padStart(2, '0')}`));
  });
  after(tmp.cleanup);

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`gog export, ${signal} mid-export: exits ${code} at once; --out absent; a rerun into it exports everything`, async () => {
      const out = path.join(tmp.dir, `export-${signal}`);
      const args = ['export', runs, '--format', 'llama-factory', '--out', out, '--json'];
      const { run, after } = await interrupted(args, signal, async () => (await traces(out)).length > 0);
      assert.ok(after < 2000, `ended ${after} ms after ${signal}: ${run.stderr}`);
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, /^gog: export cancelled; nothing was written to .*export-SIG\w+$/m);
      assert.deepEqual(await traces(out), [], 'nothing of the export is left, beside --out or in it');
      const again = await gog(args);
      assert.equal(again.code, 0, again.stderr);
      const result = JSON.parse(again.stdout) as { exported: number; found: number };
      assert.equal(result.exported, result.found);
      const data = JSON.parse(await fs.readFile(path.join(out, 'gog_sft.json'), 'utf8')) as unknown[];
      assert.equal(data.length, result.found);
      assert.deepEqual(await traces(out), [path.basename(out)]);
    });
  }

  it('gog import, SIGTERM after the first run is written: exits 143 at once; --out absent; a rerun imports every record', async () => {
    const image = `data:image/jpeg;base64,${(await sharp(photo('chelsea.png')).resize(96, 64).jpeg().toBuffer()).toString('base64')}`;
    const record = (i: number) =>
      JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: image } },
              { type: 'text', text: `Whose cat is this? (${i})` },
            ],
          },
          { role: 'assistant', content: '<answer>Chelsea</answer>' },
        ],
      });
    const file = path.join(tmp.dir, 'chats.jsonl');
    await fs.writeFile(file, Array.from({ length: 400 }, (_, i) => record(i)).join('\n') + '\n');
    const out = path.join(tmp.dir, 'imported');
    const args = ['import', file, '--format', 'openai-chat', '--out', out, '--json'];
    const { run, after } = await interrupted(args, 'SIGTERM', async () => {
      for (const t of await traces(out)) if ((await fs.readdir(path.join(path.dirname(out), t)).catch(() => [])).length) return true;
      return false;
    });
    assert.ok(after < 2000, `ended ${after} ms after SIGTERM`);
    assert.equal(run.code, 143, run.stderr);
    assert.deepEqual(await traces(out), [], 'no run of a half import is left');
    const again = await gog(args);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { imported: number }).imported, 400);
    assert.equal((await fs.readdir(out)).length, 400);
  });

  it('gog merge and gog report under SIGINT: whole or absent, never half, nothing left beside', async () => {
    // A benchmark run to merge and report: the demo runs as its samples.
    const bench = path.join(tmp.dir, 'bench');
    await fs.mkdir(path.join(bench, 'samples'), { recursive: true });
    const demo = path.join(tmp.dir, 'demo');
    const names = (await fs.readdir(demo)).sort();
    const results = syntheticResults(2000).map((r) => JSON.stringify({ ...r, rollout: 0, trajectory: `samples/${r.index}-0/trajectory.jsonl` }));
    for (let i = 0; i < 2000; i++) await linkTree(path.join(demo, names[i % names.length]!), path.join(bench, 'samples', `${i}-0`));
    await fs.writeFile(path.join(bench, 'results.jsonl'), results.join('\n') + '\n');
    const meta = {
      kind: 'gog-bench',
      schema: 1,
      started: '2026-11-24T10:00:00.000Z',
      dataset: { file: 'd.jsonl', sha256: '0', format: 'jsonl', layout: 'mapped', records: 2000, samples: 2000, problems: [], problemCount: 0 },
      limit: null,
      rollouts: 1,
      samples: 2000,
      settings: {},
      endpoints: [],
      prompts: { source: 'built-in' },
      tools: {},
    };
    await fs.writeFile(path.join(bench, 'bench.json'), JSON.stringify(meta));
    const check = async (args: string[], out: string, whole: () => Promise<void>) => {
      const { run, after } = await interrupted(args, 'SIGINT', async () => (await traces(out)).length > 0);
      assert.ok(after < 2000, `${args[0]} ended ${after} ms after SIGINT`);
      const left = await traces(out);
      if (run.code === 0) {
        // Finished before the signal was read: whole.
        assert.deepEqual(left, [path.basename(out)]);
        await whole();
      } else {
        assert.equal(run.code, 130, `${args[0]}: ${run.stderr}`);
        assert.deepEqual(left, [], `${args[0]} left part of its output`);
      }
    };
    const merged = path.join(tmp.dir, 'merged');
    await check(['merge', bench, '--out', merged], merged, async () => {
      assert.equal((await fs.readFile(path.join(merged, 'results.jsonl'), 'utf8')).trim().split('\n').length, 2000);
      assert.ok(existsSync(path.join(merged, 'summary.json')) && existsSync(path.join(merged, 'queries.jsonl')));
    });
    const report = path.join(tmp.dir, 'report.html');
    await check(['report', bench, '--out', report], report, async () => assert.match(await fs.readFile(report, 'utf8'), /<\/html>\s*$/));
  });
});
