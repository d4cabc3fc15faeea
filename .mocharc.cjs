// The unit suite (`npm run test:unit`, or `mocha`). GOG_TEST_SHARD=K/N runs every Nth test
// file from the Kth, by name: `npm test` runs the suite as two such halves in lanes of their
// own (scripts/testSuites.mjs), so that one half's waits are the other's CPU time.
'use strict';
const { readdirSync } = require('node:fs');

function spec() {
  const shard = process.env.GOG_TEST_SHARD;
  if (!shard) return ['test/unit/**/*.unit.test.ts'];
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(k >= 1 && k <= n)) throw new Error(`GOG_TEST_SHARD is "${shard}"; give K/N with 1 ≤ K ≤ N`);
  const files = readdirSync('test/unit')
    .filter((f) => f.endsWith('.unit.test.ts'))
    .sort();
  return files.filter((_, i) => i % n === k - 1).map((f) => `test/unit/${f}`);
}

module.exports = {
  spec: spec(),
  extension: ['ts'],
  'node-option': ['import=tsx'],
  timeout: 30000,
  reporter: 'spec',
};
