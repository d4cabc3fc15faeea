// Reading what a run folder holds: trajectories as streams of lines (any size, any line
// ending, multi-byte text across read boundaries), and the images a record names, which
// are trusted only when they are regular files really inside the folder.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readLines } from '../../src/core/lineReader';
import { parseTrajectory, readTrajectory, TrajectoryTooLarge } from '../../src/core/trajectoryFile';
import { RunAssets } from '../../src/data/runAssets';
import { photo, tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

describe('run files', () => {
  const tmp = tempDir('gog-runfiles-');
  after(tmp.cleanup);

  describe('trajectories read as a stream', () => {
    const header = JSON.stringify(sampleHeader());
    const event = (message: string) => JSON.stringify({ type: 'notice', step: 1, t: '2026-11-25T00:00:00.000Z', message });

    it('reads exactly what the text parser reads: CRLF, blank lines, no final newline, a broken line', async () => {
      const texts = [
        `${header}\n${event('a')}\n${event('b')}\n`,
        `${header}\r\n${event('a')}\r\n\r\n${event('b')}`,
        `\n\n${header}\n{broken\n${event('c')}\n`,
        `${event('no header')}\n`,
        '',
      ];
      for (const [i, text] of texts.entries()) {
        const file = path.join(tmp.dir, `t${i}.jsonl`);
        await fs.writeFile(file, text);
        const streamed = await readTrajectory(file);
        const parsed = parseTrajectory(text, file);
        assert.deepEqual(streamed, parsed, `text ${i}`);
      }
    });

    it('keeps multi-byte characters whole across read boundaries', async () => {
      // Lines of 3-byte characters longer than the 1 MB read size, so chunks split characters.
      const long = '漢'.repeat(700_000);
      const file = path.join(tmp.dir, 'wide.jsonl');
      await fs.writeFile(file, `${header}\n${event(long)}\n${event('after')}\n`);
      const t = await readTrajectory(file);
      assert.deepEqual(t.problems, []);
      assert.equal((t.events[0] as { message: string }).message, long);
      assert.equal((t.events[1] as { message: string }).message, 'after');
    });

    it('names and skips a line too long to keep, and refuses a file over a size limit', async () => {
      const file = path.join(tmp.dir, 'long.jsonl');
      await fs.writeFile(file, `${header}\n${event('x'.repeat(3000))}\n${event('ok')}\n`);
      const lines = [];
      for await (const l of readLines(file, 1000)) lines.push(l);
      assert.deepEqual(
        lines.map((l) => ('tooLong' in l ? `${l.line}: too long` : `${l.line}: ${l.text.length}`)),
        ['1: ' + header.length, '2: too long', '3: ' + event('ok').length],
      );
      const t = await readTrajectory(file, { maxLineBytes: 1000 });
      assert.equal(t.problems.length, 1);
      assert.equal(t.problems[0]!.line, 2);
      assert.equal(t.events.length, 1);
      await assert.rejects(readTrajectory(file, { maxBytes: 100 }), TrajectoryTooLarge);
    });

    it('refuses what is not a regular file (a named pipe would block)', async () => {
      const fifo = path.join(tmp.dir, 'pipe.jsonl');
      execFileSync('mkfifo', [fifo]);
      await assert.rejects(readTrajectory(fifo), /not a regular file/);
    });
  });

  describe('images a record names', () => {
    let run: string;
    let assets: RunAssets;
    before(async () => {
      run = path.join(tmp.dir, 'run');
      const outside = path.join(tmp.dir, 'outside');
      await fs.mkdir(path.join(run, 'images'), { recursive: true });
      await fs.mkdir(outside);
      await fs.copyFile(photo('coffee.png'), path.join(run, 'images', 'real.png'));
      await fs.copyFile(photo('coffee.png'), path.join(outside, 'secret.png'));
      await fs.symlink(path.join(outside, 'secret.png'), path.join(run, 'images', 'out.png'));
      await fs.symlink('../../outside/secret.png', path.join(run, 'images', 'relative-out.png'));
      await fs.symlink('real.png', path.join(run, 'images', 'inside-link.png'));
      await fs.mkdir(path.join(run, 'images', 'folder.png'));
      execFileSync('mkfifo', [path.join(run, 'images', 'pipe.png')]);
      assets = new RunAssets(run);
    });

    const expectations: [string, RegExp | true][] = [
      ['images/real.png', true],
      ['images/inside-link.png', true],
      ['images/out.png', /links to a file outside the run folder/],
      ['images/relative-out.png', /links to a file outside the run folder/],
      ['images/folder.png', /not a regular file/],
      ['images/pipe.png', /not a regular file/],
      ['images/missing.png', /missing/],
      ['../outside/secret.png', /not the name of an image in the run folder/],
      ['/etc/passwd', /not the name of an image/],
      ['images/real.txt', /not the name of an image/],
    ];
    for (const [rel, expected] of expectations) {
      it(`${rel}: ${expected === true ? 'shown' : 'refused'}`, async () => {
        const check = await assets.check(rel);
        if (expected === true) {
          assert.ok(check.ok, JSON.stringify(check));
          assert.ok((await assets.read(check)).length > 1000);
        } else {
          assert.ok(!check.ok);
          assert.match(check.reason, expected);
        }
      });
    }

    it('a run folder reached through a link is still its own folder', async () => {
      const alias = path.join(tmp.dir, 'alias');
      await fs.symlink(run, alias);
      const check = await new RunAssets(alias).check('images/real.png');
      assert.ok(check.ok);
    });
  });
});
