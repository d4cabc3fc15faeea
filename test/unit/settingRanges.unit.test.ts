// Every numeric setting at both ends of its documented range, on the built `gog bench`
// (which takes every run setting) over the replay endpoint: the run ends as it should,
// never with a native abort, and leaves no bench.lock. Where a setting bounds an input, the
// input is made as large as the setting allows: a 2 GB image at --max-image-mb 4096, a reply
// of 10 million control characters at --max-reply-chars 10000000 (read back by gog report),
// a 56-megapixel image at --max-pixels 50000000, a search cached under --cache-mb 1.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { RUN_SETTINGS, type SettingDecl } from '../../src/run/settingsSpec';
import { gog, oneErrorLine, type Run } from '../helpers/cli';
import { closedEndpoint, photo, tempDir } from '../helpers/fixtures';
import { recording } from '../helpers/recordings';

type Numeric = Extract<SettingDecl, { type: 'integer' | 'number' }>;
const NUMERIC = RUN_SETTINGS.filter((d): d is Numeric => d.type === 'integer' || d.type === 'number');

const GB2 = 2100 * 1024 * 1024;
const HUGE_REPLY = 10_500_000;

/** What a case gives the run, and what it must end as. */
interface Case {
  /** The question (its recording decides what the model does). */
  question?: string;
  /** The image file, in the dataset's folder. */
  image?: string;
  /** The one result's stop reason, or a pattern its error must match. */
  expect?: 'answered' | RegExp;
  check?: (run: Run, out: string) => Promise<void>;
}

describe('every numeric setting at both ends of its range', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-setting-ranges-');
  const data = path.join(tmp.dir, 'data');
  let server: ReplayServer;
  let n = 0;

  before(async () => {
    await fs.mkdir(data, { recursive: true });
    await fs.copyFile(photo('rocket.jpg'), path.join(data, 'photo.jpg'));
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    // Sparse files: their size is what matters, and no disk is used for it.
    for (const [name, size] of [
      ['two-mb.png', 2 * 1024 * 1024],
      ['two-gb.png', GB2],
    ] as const) {
      await fs.writeFile(path.join(data, name), png);
      await fs.truncate(path.join(data, name), size);
    }
    await fs.writeFile(path.join(data, 'two-gb-zeros.jpg'), '');
    await fs.truncate(path.join(data, 'two-gb-zeros.jpg'), GB2);
    await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#246' } })
      .png()
      .toFile(path.join(data, 'fifty-six-mp.png'));
    server = await startReplayServer([
      recording('plain?', ['<answer>a</answer>']),
      recording('search?', ['<text_search>rocket launch</text_search>', '<answer>a</answer>']),
      recording('long?', [`<think>${'x'.repeat(5000)}</think><answer>a</answer>`, '<answer>a</answer>']),
      recording('huge?', [`<think>${'\u0001'.repeat(HUGE_REPLY)}</think><answer>a</answer>`, '<answer>a</answer>']),
    ]);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  /** `gog bench` over a one-sample dataset with `args`; the run folder's path comes back too. */
  async function bench(c: Case, args: string[], endpoint = server.url): Promise<{ run: Run; out: string }> {
    const dir = path.join(tmp.dir, `case-${n++}`);
    const dataset = path.join(data, `${path.basename(dir)}.jsonl`);
    await fs.writeFile(dataset, JSON.stringify({ question: c.question ?? 'plain?', answer: 'a', image: c.image ?? 'photo.jpg' }) + '\n');
    const out = path.join(dir, 'run');
    const run = await gog(
      [
        'bench',
        dataset,
        '--map',
        'question=question,answer=answer,image=image',
        '--endpoint',
        endpoint,
        '--out',
        out,
        '--cache',
        path.join(dir, 'cache'),
        '--box-format',
        'rel-1000',
        ...args,
      ],
      { cwd: tmp.dir },
    );
    return { run, out };
  }

  async function resultOf(out: string): Promise<{ stopReason: string; error?: string; errorKind?: string; trajectory: string }> {
    const lines = (await fs.readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 1);
    return JSON.parse(lines[0]!);
  }

  const special: Partial<Record<string, Partial<Record<'min' | 'max', Case>>>> = {
    maxImageBytes: {
      min: { image: 'two-mb.png', expect: /two-mb\.png is 2 MB, over the 1 MB limit for an image file/ },
      max: { image: 'two-gb-zeros.jpg', expect: /two-gb-zeros\.jpg is not a readable image .*first bytes/ },
    },
    maxReplyChars: {
      min: {
        question: 'long?',
        check: async (_run, out) => {
          const r = await resultOf(out);
          assert.equal(r.stopReason, 'answered');
          assert.match(await fs.readFile(path.join(out, r.trajectory), 'utf8'), /cut at 1,000 characters/);
        },
      },
      max: {
        question: 'huge?',
        check: async (_run, out) => {
          const r = await resultOf(out);
          assert.equal(r.stopReason, 'answered');
          // Every line of the record reads back: none is over the 64 MB a reader keeps.
          const report = await gog(['report', path.dirname(path.join(out, r.trajectory)), '--out', path.join(out, 'r.html')]);
          assert.equal(report.code, 0, report.stderr);
          assert.doesNotMatch(report.stderr, /longer than/);
          assert.doesNotMatch(await fs.readFile(path.join(out, 'r.html'), 'utf8'), /longer than the \d+ MB a line may have/);
        },
      },
    },
    maxPixels: { max: { image: 'fifty-six-mp.png' } },
    cacheMaxBytes: { min: { question: 'search?' }, max: { question: 'search?' } },
  };

  for (const d of NUMERIC)
    for (const end of ['min', 'max'] as const) {
      const value = d[end];
      it(`--${d.flag} ${value} (${end}): the run ends as it should, with no bench.lock left`, async () => {
        const c: Case = special[d.key]?.[end] ?? {};
        const { run, out } = await bench(c, [`--${d.flag}`, String(value)]);
        assert.equal(run.signal, null, run.stderr);
        assert.doesNotMatch(run.stderr, /Assertion failed|call stack|heap out of memory/);
        assert.equal(run.code, 0, run.stderr);
        assert.ok(!existsSync(path.join(out, 'bench.lock')), 'bench.lock is gone');
        if (c.check) await c.check(run, out);
        else {
          const r = await resultOf(out);
          if (c.expect instanceof RegExp) {
            assert.equal(r.stopReason, 'error');
            assert.match(r.error ?? '', c.expect);
          } else assert.equal(r.stopReason, 'answered', r.error);
        }
      });
    }

  describe('the 2 GB image of the issue at --max-image-mb 4096', () => {
    it('gog ask: a 2 GB file of zeros is one clear line and exit 2, at once', async () => {
      const run = await gog([
        'ask',
        '--image',
        path.join(data, 'two-gb-zeros.jpg'),
        '--question',
        'plain?',
        '--max-image-mb',
        '4096',
        '--endpoint',
        server.url,
      ]);
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: \S+two-gb-zeros\.jpg is not a readable image \(corrupt or not an image\): its first bytes are not those of a JPEG, PNG/);
      assert.ok(run.ms < 10_000, `${run.ms} ms`);
    });

    it('gog ask: a 2 GB file that starts as a PNG is read whole, in pieces, without an abort', async () => {
      // Nothing listens at the endpoint: the run stops after the image is read, writing nothing.
      const run = await gog([
        'ask',
        '--image',
        path.join(data, 'two-gb.png'),
        '--question',
        'plain?',
        '--max-image-mb',
        '4096',
        '--endpoint',
        await closedEndpoint(),
      ]);
      assert.equal(run.signal, null, run.stderr);
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: cannot reach the model endpoint/);
    });
  });

  it('--timeout 1 against a model that takes 3 s: the sample fails in one line, on time (an endpoint error: exit 1, run again on resume)', async () => {
    const slow = await startReplayServer([recording('plain?', ['<answer>a</answer>'])], { latencyMs: 3000 });
    try {
      const { run, out } = await bench({}, ['--timeout', '1', '--retries', '0'], slow.url);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^gog: 1 sample ended in an endpoint error \(.*within 1 s.*\); to run it again, run again with --resume: /m);
      const r = await resultOf(out);
      assert.equal(r.stopReason, 'error');
      assert.equal(r.errorKind, 'endpoint');
      assert.match(r.error ?? '', /within 1 s/);
      assert.ok(run.ms < 20_000);
    } finally {
      await slow.close();
    }
  });
});
