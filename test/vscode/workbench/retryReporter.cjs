// The workbench suite's reporter: mocha's spec reporter, and a line for each test run again
// after a failure (the suite allows one retry: a real VS Code in a browser on a shared
// 2-core machine now and then misses a beat no wait can name). The line says what failed
// the first time, so a retry never hides a failure: `npm test` prints these lines again
// at the end of its log, and a test that fails twice fails the suite.
'use strict';
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_TEST_RETRY } = Mocha.Runner.constants;
// eslint-disable-next-line no-control-regex -- Playwright dims its call log with these
const ANSI_STYLE = /\u001b\[[0-9;]*m/g;

module.exports = class RetryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.on(EVENT_TEST_RETRY, (test, err) => {
      const lines = String(err?.message ?? err)
        .replace(ANSI_STYLE, '')
        .split('\n');
      // Playwright's first line names only the call; its call log says what it waited for.
      const waited = lines.find((l) => /^\s*- waiting for /.test(l));
      const first = `${lines[0]}${waited ? ` (${waited.trim().slice(2)})` : ''}`.slice(0, 400);
      process.stdout.write(`      ↻ retried after a failure: ${test.fullTitle()}: ${first}\n`);
    });
  }
};
