// The unit suite (`npm run test:unit`, or `mocha`). GOG_TEST_SHARD=K/N runs the Kth of N
// parts of equal cost: `npm test` runs the suite as two such halves in lanes of their own
// (scripts/testSuites.mjs), so that one half's waits are the other's CPU time. A file's cost
// is how long it takes, from test/unit/fileCosts.json (scripts/unitCosts.mjs); a file not in
// it counts as the median. GOG_TEST_SHARD_LEAD=a,b,… is how many seconds of
// other work each part's lane has besides it, which the split evens out too (the same value
// must reach every part, so that they agree on the split).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const UNIT = path.join(__dirname, 'test', 'unit');
const COSTS = path.join(UNIT, 'fileCosts.json');

/** Each file's seconds from the table; a table that cannot be read stops mocha, saying how to make it again. */
function costTable() {
  let table;
  try {
    table = JSON.parse(readFileSync(COSTS, 'utf8')).seconds;
    if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new Error('it has no "seconds" object');
    const bad = Object.entries(table).find(([, s]) => typeof s !== 'number' || !Number.isFinite(s) || s < 0);
    if (bad) throw new Error(`${bad[0]} has ${JSON.stringify(bad[1])} seconds`);
  } catch (e) {
    throw new Error(`test/unit/fileCosts.json cannot be used (${e.message}); make it again with node esbuild.mjs && node scripts/unitCosts.mjs`, { cause: e });
  }
  return table;
}

/** Files in N parts: the costliest first, each to the part with the least so far (ties: the lower part). */
function split(files, n, lead) {
  const table = costTable();
  const known = Object.values(table).sort((a, b) => a - b);
  const median = known.length ? known[Math.floor(known.length / 2)] : 1;
  const cost = (f) => (Object.hasOwn(table, f) ? table[f] : median);
  const parts = Array.from({ length: n }, (_, i) => ({ total: lead[i] ?? 0, files: [] }));
  for (const f of [...files].sort((a, b) => cost(b) - cost(a) || (a < b ? -1 : a > b ? 1 : 0))) {
    const part = parts.reduce((least, p) => (p.total < least.total ? p : least));
    part.files.push(f);
    part.total += cost(f);
  }
  return parts.map((p) => p.files.sort());
}

function spec() {
  const shard = process.env.GOG_TEST_SHARD;
  if (!shard) return ['test/unit/**/*.unit.test.ts'];
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(k >= 1 && k <= n)) throw new Error(`GOG_TEST_SHARD is "${shard}"; give K/N with 1 ≤ K ≤ N`);
  const leadText = process.env.GOG_TEST_SHARD_LEAD ?? '';
  const lead = leadText ? leadText.split(',').map(Number) : [];
  if (lead.some((s) => !Number.isFinite(s) || s < 0)) throw new Error(`GOG_TEST_SHARD_LEAD is "${leadText}"; give seconds per part, as 0,25`);
  const files = readdirSync(UNIT).filter((f) => f.endsWith('.unit.test.ts'));
  const mine = split(files, n, lead)[k - 1];
  // Mocha would run the whole test/ folder for an empty list.
  if (!mine.length) throw new Error(`GOG_TEST_SHARD=${shard}${leadText ? ` with GOG_TEST_SHARD_LEAD=${leadText}` : ''} leaves part ${k} no test file`);
  return mine.map((f) => `test/unit/${f}`);
}

module.exports = {
  spec: spec(),
  extension: ['ts'],
  'node-option': ['import=tsx'],
  timeout: 30000,
  reporter: 'spec',
};
