// `gog help`, `gog COMMAND --help` and `gog --version`, run as a user runs them: each
// command's help documents every flag its parser takes exactly once, with an example that
// its parser takes.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCommandArgs } from '../../src/cli/args';
import { parseAskArgs } from '../../src/cli/ask';
import { parseBenchArgs } from '../../src/cli/bench';
import { COMMANDS, type CommandSpec } from '../../src/cli/commands';
import { RUN_SETTINGS } from '../../src/run/settingsSpec';
import { buildOnce } from '../helpers/build';
import { gog, oneErrorLine } from '../helpers/cli';
import { ROOT, tempDir } from '../helpers/fixtures';
import { parseHelp, shellWords } from '../helpers/helpText';

const specs = COMMANDS as readonly CommandSpec[];

/** The flags a command's parser takes, as `--name` (and `-s`), with the help flag every command answers. */
function parserFlags(spec: CommandSpec): string[] {
  return [...Object.keys(spec.options).map((n) => `--${n}`), '--help'].sort();
}

/** `gog help NAME`'s output, run once per command (and checked to exit 0, saying nothing on stderr). */
const helps = new Map<string, Promise<string>>();
function helpOf(name: string): Promise<string> {
  if (!helps.has(name))
    helps.set(
      name,
      gog(['help', name]).then((r) => {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        return r.stdout;
      }),
    );
  return helps.get(name)!;
}

describe('gog help', () => {
  const tmp = tempDir('gog-help-');
  before(() => buildOnce());
  after(() => tmp.cleanup());

  it('gog help lists every command once, with one line each; gog alone prints it as a usage error', async () => {
    const run = await gog(['help']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const listed = [...run.stdout.matchAll(/^ {2}([a-z-]+) {2,}\S/gm)].map((m) => m[1]!);
    assert.deepEqual(listed, [...specs.map((c) => c.name), 'help', 'version']);
    // The list, not every command's flags.
    assert.doesNotMatch(run.stdout, /--max-turns|--concurrency/);
    const bare = await gog([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, run.stdout);
  });

  for (const spec of specs) {
    describe(`gog ${spec.name}`, () => {
      it(`gog ${spec.name} --help and gog help ${spec.name} print its usage, each flag it takes once, and an example`, async () => {
        const runs = await Promise.all([gog([spec.name, '--help']), helpOf(spec.name).then((stdout) => ({ code: 0, stderr: '', stdout }))]);
        for (const run of runs) {
          assert.equal(run.code, 0, run.stderr);
          assert.equal(run.stderr, '');
          assert.equal(run.stdout, runs[0].stdout, 'gog help X and gog X --help print the same');
        }
        const help = parseHelp(runs[0].stdout);
        assert.ok(help.usage.length, 'usage lines');
        for (const u of help.usage) assert.ok(u.startsWith(`gog ${spec.name} `), u);
        const documented = help.flags.map((f) => f.long).sort();
        assert.deepEqual(documented, parserFlags(spec), 'every flag the parser takes, each documented once');
        for (const f of help.flags) assert.ok(f.text.length > 10, `${f.long} says what it does`);
        for (const [name, flag] of Object.entries(spec.options))
          if (flag.short) assert.equal(help.flags.find((f) => f.long === `--${name}`)?.short, `-${flag.short}`, `--${name} shows -${flag.short}`);
        assert.ok(help.example?.startsWith(`gog ${spec.name} `), 'an example');
      });

      it(`gog ${spec.name}'s example parses`, async () => {
        const help = parseHelp(await helpOf(spec.name));
        const args = shellWords(help.example!).slice(2);
        assert.deepEqual(args, spec.example, 'the example reads back as declared');
        const { positionals } = parseCommandArgs(args, spec);
        const [min, max] = spec.positionals;
        assert.ok(positionals.length >= min && positionals.length <= max, `${positionals.length} arguments, ${min} to ${max} taken`);
        // The commands with a parser of their own: it takes the example whole.
        if (spec.name === 'ask') parseAskArgs(args, {}, tmp.dir);
        if (spec.name === 'bench') parseBenchArgs(args, {}, tmp.dir);
      });

      it(`gog ${spec.name} refuses a flag its help does not list`, async () => {
        const run = await gog([spec.name, ...(spec.subcommands?.slice(0, 1) ?? []), '--not-a-flag']);
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, /Unknown option '--not-a-flag'/);
      });
    });
  }

  it('every flag of every command is parsed from its declaration, and every declared flag is taken', () => {
    // The only parser is args.ts's, and each command hands it its declaration from commands.ts.
    const dir = path.join(ROOT, 'src', 'cli');
    const calls: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      if (file !== 'args.ts') assert.doesNotMatch(text, /\bparseArgs\(/, `${file} parses with parseCommandArgs`);
      for (const m of text.matchAll(/parseCommandArgs\(\s*\w+,\s*([^)]*)\)/g)) calls.push(`${file}: ${m[1]}`);
    }
    const declared = new Set(specs.map((s) => s.name));
    assert.ok(calls.length >= declared.size, calls.join('\n'));
    for (const call of calls) assert.match(call, /: [A-Z_]+$/, `a declaration from commands.ts: ${call}`);
    for (const spec of specs)
      for (const [name, flag] of Object.entries(spec.options)) {
        const args = flag.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'x'];
        assert.doesNotThrow(() => parseCommandArgs(args, spec), `gog ${spec.name} takes --${name}`);
      }
  });

  it('every flag with a default shows it', async () => {
    for (const name of ['ask', 'bench']) {
      const flags = parseHelp(await helpOf(name)).flags;
      for (const d of RUN_SETTINGS) {
        if (d.type === 'boolean') continue;
        const text = flags.find((f) => f.long === `--${d.flag}`)?.text ?? '';
        assert.match(text, /\(default[ :]/, `gog ${name} --${d.flag}: ${text}`);
      }
    }
  });

  it('-h is --help, also among other flags', async () => {
    const run = await gog(['find', '-i', '-h', '--limit', '3']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, await helpOf('find'));
  });

  it('--help as a value or after -- is not a request for help', async () => {
    const asValue = await gog(['label', 'x.jsonl', 'accepted', '--note', '-h']);
    assert.equal(asValue.code, 2, asValue.stderr);
    oneErrorLine(asValue, /argument is ambiguous/);
    const afterDashes = await gog(['find', tmp.dir, '--', '--help']);
    assert.doesNotMatch(afterDashes.stdout, /^usage:/m);
    assert.equal(afterDashes.code, 0, afterDashes.stderr);
  });

  it('gog help of an unknown command is a usage error', async () => {
    for (const args of [
      ['help', 'frobnicate'],
      ['frobnicate', '--help'],
    ]) {
      const run = await gog(args);
      assert.equal(run.code, 2);
      oneErrorLine(run, /^gog: unknown command "frobnicate"$/);
      assert.equal(run.stdout, '');
    }
  });

  it('gog --version and gog version print the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['version']]) {
      const run = await gog(args, { cwd: tmp.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${version}\n`);
    }
  });
});
