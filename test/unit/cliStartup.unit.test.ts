// What each `gog` command loads before it starts, from the bundler's own import graph of
// src/cli/main.ts (the build's options, esbuild's metafile): a command's modules are
// evaluated when it runs (dynamic imports), with everything they import statically. `gog
// help` and the commands that only read and write files must not load the agent's heavy
// parts: sharp (a native library), the openai SDK, the page reader (html-to-text), zod.
// Each of those costs tens of milliseconds at every start, and the test suite alone starts
// `gog` hundreds of times. sharp is loaded by no command at start: src/vision/sharpLib.ts
// requires it when the first image is read. A constant taken from a heavy module is the
// usual way back in: the fix is to declare it in a light module (trajectoryTerms.ts,
// imageLimits.ts, …).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { LAYOUT_IDS } from '../../src/data/datasets/layoutIds';
import { LAYOUTS } from '../../src/data/datasets/layouts';

const ROOT = path.resolve(__dirname, '../..');

type Heavy = 'sharp' | 'openai' | 'html-to-text' | 'zod';

/** The heavy part a module of the graph is, if it is one. */
function heavyPart(file: string): Heavy | undefined {
  if (file === 'sharp') return 'sharp';
  // openai/version.mjs is one string (recorded in every run's versions).
  if (/node_modules\/openai\//.test(file) && !file.endsWith('openai/version.mjs')) return 'openai';
  if (/node_modules\/html-to-text\//.test(file)) return 'html-to-text';
  if (/node_modules\/zod\//.test(file)) return 'zod';
  return undefined;
}

/** What a command may load at start; commands not listed (ask, bench, demo, rerun, …) run the agent and may load anything. */
const ALLOWED: Record<string, readonly Heavy[]> = {
  // The dispatcher itself and `gog help` / `--help` of any command.
  'src/cli/main.ts': [],
  'src/cli/usage.ts': [],
  'src/cli/commands.ts': [],
  'src/cli/cache.ts': [],
  'src/cli/label.ts': ['zod'],
  'src/cli/queue.ts': ['zod'],
  'src/cli/agreement.ts': ['zod'],
  'src/cli/find.ts': ['zod'],
  'src/cli/export.ts': ['zod'],
  'src/cli/exportRl.ts': ['zod'],
  'src/cli/compare.ts': ['zod'],
  'src/cli/merge.ts': ['zod'],
  'src/cli/report.ts': ['zod'],
  'src/cli/import.ts': ['zod'],
};

describe('gog starts light: what each command loads before it runs', function () {
  this.timeout(60_000);
  /** Every module of every Node bundle (the CLI, the extension, the two worker threads), with what each imports. */
  let inputs: esbuild.Metafile['inputs'];

  before(async () => {
    // The options of the Node bundles in esbuild.mjs that decide the graph.
    const built = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ['src/cli/main.ts', 'src/extension/extension.ts', 'src/search/rankWorker.ts', 'src/data/find/findWorker.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', 'sharp'],
      write: false,
      metafile: true,
      outdir: path.join(ROOT, 'dist', 'graph'),
      logLevel: 'silent',
    });
    inputs = built.metafile.inputs;
  });

  /** Every module `start` evaluates with it (static imports, followed), and the path by which each heavy part comes in. */
  function loadedWith(start: string): Map<Heavy, string> {
    const from = new Map<string, string | null>([[start, null]]);
    const heavy = new Map<Heavy, string>();
    const chain = (file: string) => {
      const parts = [];
      for (let f: string | null | undefined = file; f; f = from.get(f)) parts.unshift(f);
      return parts.join(' → ');
    };
    for (const queue = [start]; queue.length;) {
      const file = queue.shift()!;
      for (const i of inputs[file]?.imports ?? []) {
        if (i.kind === 'dynamic-import' || from.has(i.path)) continue;
        from.set(i.path, file);
        const part = heavyPart(i.path);
        if (part && !heavy.has(part)) heavy.set(part, chain(i.path));
        if (!i.external) queue.push(i.path);
      }
    }
    return heavy;
  }

  it('the graph is the real one: `gog bench` loads the openai SDK, the page reader and zod', () => {
    assert.deepEqual([...loadedWith('src/cli/bench.ts').keys()].sort(), ['html-to-text', 'openai', 'zod']);
  });

  it('no module of any bundle imports sharp: it is required on first use (src/vision/sharpLib.ts)', () => {
    assert.ok(inputs['src/extension/extension.ts'] && inputs['src/search/rankWorker.ts'], 'the extension and the workers are in the graph');
    const importers = Object.entries(inputs)
      .filter(([, input]) => input.imports.some((i) => i.path === 'sharp'))
      .map(([file]) => file);
    assert.deepEqual(importers, []);
    assert.ok(inputs['src/vision/sharpLib.ts'], 'the graph holds the module that loads sharp');
  });

  it('every command main.ts loads is listed here or runs the agent', () => {
    const commands = inputs['src/cli/main.ts']!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    assert.ok(commands.length >= 15, `main.ts loads its commands lazily (${commands.length} found)`);
    const agentCommands = ['src/cli/ask.ts', 'src/cli/bench.ts', 'src/cli/demo.ts', 'src/cli/rerun.ts', 'src/cli/replay.ts'];
    assert.deepEqual(
      commands.filter((c) => !(c in ALLOWED) && !agentCommands.includes(c)),
      [],
      'a new command is added to ALLOWED (or to the agent commands)',
    );
  });

  it('the light list of layouts names the layouts, in the order they are tried', () => {
    assert.deepEqual(
      LAYOUTS.map((l) => l.id),
      [...LAYOUT_IDS],
    );
  });

  for (const [module, allowed] of Object.entries(ALLOWED))
    it(`${path.basename(module, '.ts')} loads ${allowed.length ? `only ${allowed.join(' and ')} of the heavy parts` : 'none of the heavy parts'}`, () => {
      assert.ok(inputs[module], `${module} is in the CLI's bundle`);
      const extra = [...loadedWith(module)].filter(([part]) => !allowed.includes(part)).map(([part, via]) => `${part}: ${via}`);
      assert.deepEqual(extra, []);
    });
});
