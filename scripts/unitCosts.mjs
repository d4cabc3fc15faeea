// Measures how long each unit test file takes (wall clock: its waits for servers, locks and
// signals count, as they do in a lane of `npm test`), two files at a time as the two halves
// run, and writes test/unit/fileCosts.json, which `.mocharc.cjs` reads to split the suite into
// halves that take as long. Takes about six minutes; run it again when files are added or
// their time changes much (a file not in the table counts as the table's median).
//
//   node esbuild.mjs && node scripts/unitCosts.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
try {
  execFileSync(TIME, ['-f', '', 'true']);
} catch {
  throw new Error(`${TIME} (GNU time) is needed: apt-get install time`);
}
const dir = mkdtempSync(path.join(tmpdir(), 'gog-unit-costs-'));
const files = readdirSync(path.join(ROOT, 'test', 'unit'))
  .filter((f) => f.endsWith('.unit.test.ts'))
  .sort();
const seconds = {};

/** Runs one file alone under GNU time; its elapsed seconds. */
function measure(f) {
  const out = path.join(dir, f.replace(/\W/g, '-'));
  const args = [
    '-f',
    '%e',
    '-o',
    out,
    'npx',
    'mocha',
    '--no-config',
    '--node-option',
    'import=tsx',
    '--extension',
    'ts',
    '--timeout',
    '300000',
    '--reporter',
    'dot',
    `test/unit/${f}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${f} failed:\n${output.slice(-2000)}`));
      resolve(Number(readFileSync(out, 'utf8').trim().split('\n').at(-1)));
    });
  });
}

try {
  const queue = [...files];
  let done = 0;
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      seconds[f] = Math.round((await measure(f)) * 10) / 10;
      process.stdout.write(`${++done}/${files.length} ${f} ${seconds[f]} s\n`);
    }
  };
  await Promise.all([worker(), worker()]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const table = {
  about:
    'Seconds each unit test file takes (wall clock, two files at a time on 2 cores: its waits count, as they do in a lane); scripts/unitCosts.mjs measures them, .mocharc.cjs splits the suite by them',
  measured: new Date().toISOString().slice(0, 10),
  seconds: Object.fromEntries(
    Object.keys(seconds)
      .sort()
      .map((f) => [f, seconds[f]]),
  ),
};
writeFileSync(path.join(ROOT, 'test', 'unit', 'fileCosts.json'), JSON.stringify(table, null, 2) + '\n');
