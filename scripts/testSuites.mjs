// `npm test`'s suites, after its build, the type-check and lint among them: in lanes at
// once (below). The setups (Debian packages, code-server) run first, one at a time, as apt
// takes one lock. Each line is printed with its suite's name; at the end, each suite's
// time and result, then the tests run again after a failure (the workbench allows one retry)
// and each failed suite's failures again (mocha's "N failing" section, or its last lines
// when it has none), so that the end of a long log says what went wrong.
// GOG_TEST_LANES=1 runs the suites one after another instead.
//
//   node scripts/testSuites.mjs            (npm test runs it after building dist/)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const mocha = (config) => ['npx', 'mocha', ...(config ? ['--config', config] : [])];
// The package suite builds every VSIX and copies this machine's to one file, which the VS
// Code suite installs instead of packaging the same checkout again (it packages its own
// when the file is not there).
const vsixHandoff = mkdtempSync(path.join(tmpdir(), 'gog-vsix-handoff-'));
const hostVsix = path.join(vsixHandoff, 'host.vsix');
const SETUPS = [
  { name: 'setup:slurm', command: ['bash', 'test/slurm/setup.sh'] },
  { name: 'setup:vscode', command: ['bash', 'test/vscode/setup.sh'] },
];
// Three lanes on two cores: alone, a suite leaves a core idle part of the time (waiting on
// child processes, servers, a browser); the lanes fill it. The unit suite is split in two
// halves by file (GOG_TEST_SHARD, .mocharc.cjs); the type-check and lint run at the head of
// the unit lanes while the third lane's first suite and the setups mostly download. About as
// much time in each lane (measured on 2 cores: DEVELOPMENT.md).
// The unit suite's halves are split by how long each file takes (.mocharc.cjs); the second's
// lane also lints and runs the VS Code suite, about 48 s more than the type-check and the
// Slurm suite of the first's (the table in DEVELOPMENT.md), so the first half takes that much
// more of the unit files.
const UNIT_LEAD = '0,48';
const LANES = [
  [
    { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
    { name: 'unit 1/2', command: mocha(), env: { GOG_TEST_SHARD: '1/2', GOG_TEST_SHARD_LEAD: UNIT_LEAD } },
    { name: 'slurm', command: mocha('test/slurm/.mocharc.json'), afterSetup: true },
  ],
  [
    { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
    { name: 'unit 2/2', command: mocha(), env: { GOG_TEST_SHARD: '2/2', GOG_TEST_SHARD_LEAD: UNIT_LEAD } },
    // Its own TMPDIR: it fails on what a VS Code server or a browser leaves in the temporary
    // folder, which must not be the files of the suites running beside it.
    {
      name: 'vscode',
      command: ['npx', 'tsx', 'test/vscode/run.ts'],
      afterSetup: true,
      ownTmp: true,
      env: { GOG_TEST_VSIX: hostVsix },
    },
  ],
  [
    { name: 'package', command: mocha('test/package/.mocharc.json'), env: { GOG_VSIX_HANDOFF: hostVsix } },
    { name: 'webview', command: mocha('test/webview/.mocharc.json'), afterSetup: true },
    { name: 'workbench', command: mocha('test/vscode/workbench/.mocharc.json'), afterSetup: true },
  ],
];

const width = Math.max(...[...SETUPS, ...LANES.flat()].map((s) => s.name.length));
const children = new Set();
const results = [];
// Each suite's CPU time (user + system, its child processes included) beside its wall time,
// by GNU time where the machine has it: the lanes share two cores, so CPU is what to cut.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cpuDir = mkdtempSync(path.join(tmpdir(), 'gog-suites-'));
const tmpDirs = [cpuDir, vsixHandoff]; // removed at exit, a suite's own TMPDIR among them
process.on('exit', () => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const machine0 = machineTicks();
const FAILURE_LINES = 400; // of one suite's failures, reprinted at the end
const TAIL_LINES = 60; // of a suite that failed without mocha's failures section

/** Runs one suite to its end, its lines prefixed with its name. */
function run(suite) {
  const started = Date.now();
  return new Promise((resolve) => {
    const cpuFile = path.join(cpuDir, suite.name.replace(/\W/g, '-'));
    const [cmd, ...args] = TIME ? [TIME, '-q', '-f', '%U %S', '-o', cpuFile, ...suite.command] : suite.command;
    const env = { ...process.env, FORCE_COLOR: '0', ...suite.env };
    // Short: VS Code puts its sockets in it, and a socket's path has at most 107 bytes.
    if (suite.ownTmp) {
      env.TMPDIR = mkdtempSync(path.join(tmpdir(), 'gog-t-'));
      tmpDirs.push(env.TMPDIR);
    }
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
    children.add(child);
    const tag = `[${suite.name.padEnd(width)}] `;
    const tail = [];
    let failures = null; // lines from mocha's "N failing" on
    const retried = []; // tests a suite ran again after a failure (the workbench's reporter says so)
    const keep = (line) => {
      if (line.includes('↻ retried after a failure')) retried.push(line.trim());
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (/^\s*\d+ failing\s*$/.test(line)) failures = [];
      if (failures && failures.length < FAILURE_LINES) failures.push(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        keep(line);
        process.stdout.write(tag + line + '\n');
      });
    }
    child.on('close', (code, signal) => {
      children.delete(child);
      const result = {
        name: suite.name,
        ok: code === 0,
        code: code ?? signal,
        seconds: (Date.now() - started) / 1000,
        lines: failures ?? tail,
        retried,
        cpu: cpuSeconds(cpuFile),
      };
      results.push(result);
      process.stdout.write(`${tag}${result.ok ? 'passed' : `FAILED (${result.code})`} in ${minutes(result.seconds)}\n`);
      resolve(result.ok);
    });
  });
}

/**
 * The machine's busy and idle clock ticks (Linux's /proc/stat), or null. GNU time misses
 * the CPU of processes that leave their parent (Chromium's renderers, daemons): the machine's
 * own count is the whole of it.
 */
function machineTicks() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
  } catch {
    return null;
  }
}

/** User + system seconds GNU time wrote, or null. */
function cpuSeconds(file) {
  try {
    const [user, system] = readFileSync(file, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    return Number.isFinite(user + system) ? user + system : null;
  } catch {
    return null;
  }
}

function minutes(s) {
  const whole = Math.round(s); // rounded first: 119.6 s is 2m00s, not 1m60s
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

// Ctrl+C or a CI cancel: every suite's process group goes too (browsers, code-server, slurmd).
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

const started = Date.now();
const serial = process.env.GOG_TEST_LANES === '1';
let setupOk = true;
const setup = (async () => {
  for (const s of SETUPS) setupOk = (await run(s)) && setupOk;
})();

async function lane(suites) {
  for (const s of suites) {
    if (s.afterSetup) await setup;
    if (s.afterSetup && !setupOk) {
      results.push({ name: s.name, ok: false, code: 'setup failed', seconds: 0 });
      continue;
    }
    await run(s);
  }
}

if (serial) {
  await setup;
  // The package suite's lane first: it hands its VSIX to the VS Code suite.
  for (const l of [LANES[2], LANES[0], LANES[1]]) await lane(l);
} else {
  await Promise.all(LANES.map(lane));
}

const failed = results.filter((r) => !r.ok);
process.stdout.write(`\nsuites (${serial ? 'one at a time' : `${LANES.length} lanes`}), ${minutes((Date.now() - started) / 1000)} in all:\n`);
for (const r of results) {
  const cpu = r.cpu == null ? '' : `  cpu ${minutes(r.cpu).padStart(7)}`;
  process.stdout.write(`  ${r.name.padEnd(width)}  ${minutes(r.seconds).padStart(7)}${cpu}  ${r.ok ? 'passed' : `FAILED (${r.code})`}\n`);
}
const machine1 = machineTicks();
if (machine0 && machine1) {
  const busy = (machine1.busy - machine0.busy) / 100; // USER_HZ
  const all = busy + (machine1.idle - machine0.idle) / 100;
  const counted = results.reduce((sum, r) => sum + (r.cpu ?? 0), 0);
  process.stdout.write(
    `  CPU by GNU time ${minutes(counted)}; the machine's CPU busy meanwhile ${minutes(busy)} of ${minutes(all)} (${Math.round((100 * busy) / all)} %)\n`,
  );
}
const retried = results.flatMap((r) => (r.retried ?? []).map((line) => `${r.name}: ${line}`));
if (retried.length) {
  process.stdout.write(`\nrun again after a failure (a test that failed twice is among the failures below):\n`);
  for (const line of retried) process.stdout.write(`  ${line}\n`);
}
for (const r of failed.filter((f) => f.lines?.length)) {
  process.stdout.write(`\n${r.name} failed; its failures again:\n`);
  for (const line of r.lines) process.stdout.write(`  | ${line}\n`);
}
process.exitCode = failed.length ? 1 : 0;
