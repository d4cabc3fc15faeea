// The unit suite's parts (.mocharc.cjs, GOG_TEST_SHARD=K/N): every test file runs in exactly
// one part, the parts take about as long by test/unit/fileCosts.json, a lane's other work
// (GOG_TEST_SHARD_LEAD) moves files to the other part, and a bad value, or a part left with
// no file (mocha would then run the whole test folder), stops mocha saying why.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';

const COSTS = (JSON.parse(readFileSync(path.join(ROOT, 'test', 'unit', 'fileCosts.json'), 'utf8')) as { seconds: Record<string, number> }).seconds;
const FILES = readdirSync(path.join(ROOT, 'test', 'unit'))
  .filter((f) => f.endsWith('.unit.test.ts'))
  .sort();

/** The files mocha's configuration gives part K of N, read as mocha reads it (a fresh process). */
function part(shard: string, lead = ''): { files: string[]; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(require("./.mocharc.cjs").spec))'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, GOG_TEST_SHARD: shard, GOG_TEST_SHARD_LEAD: lead },
  });
  return { files: r.status === 0 ? (JSON.parse(r.stdout) as string[]).map((f) => path.basename(f)) : [], status: r.status, stderr: r.stderr };
}

const SORTED_COSTS = Object.values(COSTS).sort((a, b) => a - b);
/** What a file not in the table counts as (the test's own count, not .mocharc.cjs's). */
const MEDIAN = SORTED_COSTS[Math.floor(SORTED_COSTS.length / 2)]!;
const cost = (files: string[]) => files.reduce((sum, f) => sum + (COSTS[f] ?? MEDIAN), 0);

describe('the unit suite in parts', () => {
  for (const [n, lead] of [
    [2, ''],
    [2, '0,48'],
    [3, ''],
  ] as const)
    it(`${n} parts${lead ? ` with a lead of ${lead}` : ''}: every file in exactly one, their times within one file's of each other`, () => {
      const parts = Array.from({ length: n }, (_, k) => part(`${k + 1}/${n}`, lead).files);
      assert.deepEqual(parts.flat().sort(), FILES, 'every file once');
      const leads = lead ? lead.split(',').map(Number) : [];
      const totals = parts.map((p, i) => cost(p) + (leads[i] ?? 0));
      // Within two median files of each other (by name, every other file, they were 44 s apart).
      assert.ok(Math.max(...totals) - Math.min(...totals) <= 2 * MEDIAN, `the parts take ${totals.map((t) => t.toFixed(0)).join(', ')} s`);
    });

  it('a lead for the second lane gives the first part more of the files', () => {
    const even = cost(part('1/2').files);
    const led = cost(part('1/2', '0,48').files);
    // Half the lead moves: the first part ends up 48 s over the second.
    assert.ok(Math.abs(led - even - 24) <= 2 * MEDIAN, `${led} s against ${even} s`);
  });

  it('every test file has a time in the table (scripts/unitCosts.mjs), and the table names no file that is gone', () => {
    assert.deepEqual(Object.keys(COSTS).sort(), FILES);
  });

  it('no unit test file sits in a subfolder, where no part would take it', () => {
    const nested = readdirSync(path.join(ROOT, 'test', 'unit'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.unit.test.ts') && path.dirname(f) !== '.',
    );
    assert.deepEqual(nested, []);
  });

  for (const [shard, lead, why] of [
    ['3/2', '', /GOG_TEST_SHARD is "3\/2"; give K\/N/],
    ['half', '', /GOG_TEST_SHARD is "half"/],
    ['1/2', '0,-5', /GOG_TEST_SHARD_LEAD is "0,-5"; give seconds per part/],
    ['1/2', 'x', /GOG_TEST_SHARD_LEAD is "x"/],
    ['2/2', '0,100000', /GOG_TEST_SHARD=2\/2 with GOG_TEST_SHARD_LEAD=0,100000 leaves part 2 no test file/],
  ] as const)
    it(`refuses GOG_TEST_SHARD=${shard}${lead ? ` GOG_TEST_SHARD_LEAD=${lead}` : ''}, saying why`, () => {
      const r = part(shard, lead);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, why);
    });
});
