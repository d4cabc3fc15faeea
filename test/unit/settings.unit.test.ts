// One declaration of every run setting (src/run/settingsSpec.ts): package.json, the `gog`
// flags, the VS Code reader and the range checks all agree with it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAskArgs } from '../../src/cli/ask';
import { ASK } from '../../src/cli/commands';
import { commandHelp } from '../../src/cli/usage';
import { SettingError } from '../../src/core/settingDecl';
import { REVIEW_SETTINGS, reviewSettingsFromConfig } from '../../src/review/reviewSettings';
import {
  checkRunSettings,
  contributedProperties,
  restrictedSettings,
  RUN_SETTINGS,
  settingDefaults,
  settingsFromConfig,
  type SettingDecl,
} from '../../src/run/settingsSpec';
import { buildOnce } from '../helpers/build';
import { gog } from '../helpers/cli';
import { parseHelp } from '../helpers/helpText';
import { presetOf, type PresetId } from '../../src/run/presets';
import { ROOT } from '../helpers/fixtures';

const folders = { base: '/work/space', defaults: { corpusDir: '/bundled/corpus' } };

/** A valid value other than the default, in setting units, and how the CLI spells it. */
function otherValue(d: SettingDecl): { value: unknown; cli: string[] } {
  switch (d.type) {
    case 'string':
      return {
        value: d.key === 'endpoint' ? 'http://10.0.0.7:9000/v1' : 'qwen-other',
        cli: [`--${d.flag}`, d.key === 'endpoint' ? 'http://10.0.0.7:9000/v1' : 'qwen-other'],
      };
    case 'enum': {
      const v = d.values.find((x) => x !== d.default)!;
      return { value: v, cli: [`--${d.flag}`, v] };
    }
    case 'integer':
    case 'number': {
      const v = d.max === d.default ? d.min : d.default + 1 <= d.max ? d.default + 1 : d.min;
      return { value: v, cli: [`--${d.flag}`, String(v)] };
    }
    case 'boolean':
      return { value: !d.default, cli: [d.default ? `--no-${d.flag}` : `--${d.flag}`] };
    case 'folder':
      return { value: 'my/corpus', cli: [`--${d.flag}`, 'my/corpus'] };
    case 'urls':
      return { value: { [d.keys[0]!]: 'http://127.0.0.1:9/proxy' }, cli: [`--${d.flag}`, `${d.keys[0]}=http://127.0.0.1:9/proxy/`] };
  }
}

describe('run settings, declared once', () => {
  it('package.json contributes exactly the declared settings (npm run settings writes them)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.configuration.properties, contributedProperties(), 'run npm run settings');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedSettings());
    for (const s of Object.keys(contributedProperties()))
      assert.ok(!/api.?key|secret|password|credential|bearer|access.?token/i.test(s), `${s}: no secrets in settings`);
  });

  it('names every setting once, in VS Code and on the command line', () => {
    const names = RUN_SETTINGS.map((d) => d.name);
    const flags = RUN_SETTINGS.map((d) => d.flag);
    const keys = RUN_SETTINGS.map((d) => d.key);
    for (const list of [names, flags, keys]) assert.equal(new Set(list).size, list.length);
    for (const d of RUN_SETTINGS) {
      const flag = d.type === 'boolean' && d.default ? `--no-${d.flag}` : `--${d.flag}`;
      assert.match(commandHelp(ASK), new RegExp(`\\n  ${flag}\\b`), `gog help ask lists ${flag}`);
    }
  });

  it('each flag sets its own setting, in run units', () => {
    for (const d of RUN_SETTINGS) {
      const { value, cli } = otherValue(d);
      const { settings } = parseAskArgs(['--image', 'x.jpg', '--question', 'q', ...cli], {}, '/work/space');
      const expected =
        d.type === 'folder' ? path.resolve('/work/space', value as string) : typeof value === 'number' ? value * (('scale' in d && d.scale) || 1) : value;
      assert.deepEqual(settings[d.key], expected, `--${d.flag}`);
      // A preset sets the settings it fixes (presets.ts), and only those.
      const fixed = d.key === 'preset' ? (presetOf(value as PresetId)?.settings ?? {}) : {};
      const untouched = RUN_SETTINGS.filter((o) => o.key !== d.key && o.key !== 'corpusDir' && !(o.key in fixed));
      const defaults = settingDefaults(folders);
      for (const o of untouched) assert.deepEqual(settings[o.key], defaults[o.key], `--${d.flag} leaves ${o.key} alone`);
      for (const [k, v] of Object.entries(fixed)) assert.deepEqual(settings[k as keyof typeof settings], v, `--${d.flag} sets ${k}`);
    }
  });

  it('each VS Code setting reads into its own field; relative folders resolve against the workspace', () => {
    for (const d of RUN_SETTINGS) {
      const { value } = otherValue(d);
      const read = settingsFromConfig((name) => (name === d.name ? value : undefined), folders);
      const expected = d.type === 'folder' ? '/work/space/my/corpus' : typeof value === 'number' ? value * (('scale' in d && d.scale) || 1) : value;
      assert.deepEqual(read[d.key], expected, `gog.${d.name}`);
    }
    assert.equal(settingsFromConfig(() => undefined, folders).corpusDir, '/bundled/corpus', 'empty: the bundled corpus');
  });

  it('a value of the wrong type or out of range is an error naming the setting, never replaced', () => {
    const cases: [string, unknown, RegExp][] = [
      ['maxTurns', 'many', /^setting gog\.maxTurns: max turns must be a whole number from 1 to 1000; got "many"$/],
      ['maxTurns', 2.5, /a whole number from 1 to 1000; got 2\.5/],
      ['timeoutSeconds', 100_000, /^setting gog\.timeoutSeconds: the timeout must be from 1 to 86400 seconds; got 100000$/],
      ['dialect', 'klingon', /^setting gog\.dialect: unknown dialect "klingon"; use one of gog, mmsearch-r1, tool-calls$/],
      ['stream', 'yes', /^setting gog\.stream: streaming must be true or false/],
      ['corpusFolder', 7, /^setting gog\.corpusFolder: the corpus folder must be a path/],
    ];
    for (const [name, value, pattern] of cases) {
      assert.throws(
        () => settingsFromConfig((n) => (n === name ? value : undefined), folders),
        (e: unknown) => e instanceof SettingError && pattern.test(e.message),
        `${name} = ${JSON.stringify(value)}`,
      );
    }
  });

  it('says on each --no-… line of gog help ask what that flag does, with what the default does after it', async () => {
    buildOnce();
    const run = await gog(['help', 'ask']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /\(--no-[a-z-]+[: ]/, 'no "(--no-x: do not)" left: a --no- flag is described on its own line');
    const negatable = RUN_SETTINGS.filter((d) => d.type === 'boolean' && d.default);
    assert.deepEqual(
      negatable.map((d) => d.flag),
      ['stream', 'evidence-images', 'cache'],
    );
    const flags = parseHelp(run.stdout).flags;
    for (const d of negatable) {
      assert.ok(d.negated, `${d.key} says what --no-${d.flag} does`);
      const text = flags.find((f) => f.long === `--no-${d.flag}`)?.text;
      assert.ok(text, `gog help ask lists --no-${d.flag}`);
      assert.equal(text, `${d.negated} (default: ${d.help ?? d.description})`);
      // What the flag does comes first, and it is not what the default does.
      assert.ok(!text.startsWith(d.help!), `--no-${d.flag} does not open with the default's behaviour`);
    }
    const textOf = (flag: string) => flags.find((f) => f.long === flag)?.text;
    assert.equal(textOf('--no-cache'), 'do not cache searches: every search goes to its provider (default: cache searches)');
    assert.equal(textOf('--no-stream'), 'do not stream: ask for whole replies (default: stream replies)');
    assert.match(
      textOf('--no-evidence-images') ?? '',
      /^send the model no result thumbnails, only their text .*\(default: send result thumbnails to the model\)$/,
    );
  });

  it('declares the review settings (prices per million tokens, the report budget) once: package.json, the reader, and README', () => {
    const props = contributedProperties();
    for (const d of REVIEW_SETTINGS) {
      assert.deepEqual(
        {
          type: props[`gog.${d.name}`]?.type,
          default: props[`gog.${d.name}`]?.default,
          minimum: props[`gog.${d.name}`]?.minimum,
          maximum: props[`gog.${d.name}`]?.maximum,
        },
        { type: 'number', default: d.default, minimum: d.min, maximum: d.max },
        `gog.${d.name}`,
      );
    }
    assert.deepEqual(
      REVIEW_SETTINGS.map((d) => d.name),
      ['review.pricePromptPerMillion', 'review.priceCompletionPerMillion', 'review.reportMb'],
    );
    assert.deepEqual(
      reviewSettingsFromConfig(() => undefined),
      { pricePromptPerMillion: 0, priceCompletionPerMillion: 0, reportMb: 50 },
    );
    assert.deepEqual(
      reviewSettingsFromConfig((n) => ({ 'review.pricePromptPerMillion': 0.5, 'review.priceCompletionPerMillion': 1.5 })[n]),
      {
        pricePromptPerMillion: 0.5,
        priceCompletionPerMillion: 1.5,
        reportMb: 50,
      },
    );
    assert.throws(
      () => reviewSettingsFromConfig((n) => (n === 'review.priceCompletionPerMillion' ? -1 : undefined)),
      (e: unknown) =>
        e instanceof SettingError && e.message === 'setting gog.review.priceCompletionPerMillion: the completion token price must be from 0 to 1000000; got -1',
    );
    assert.throws(
      () => reviewSettingsFromConfig((n) => (n === 'review.pricePromptPerMillion' ? 'cheap' : undefined)),
      /must be from 0 to 1000000; got "cheap"/,
    );
    // README's settings table lists every setting package.json contributes, these two too, with its default.
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, prop] of Object.entries(props)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\``));
      assert.ok(row, `README's settings table lists ${name}`);
      if (name.startsWith('gog.review.')) assert.match(row, new RegExp(`\\| \`${String(prop.default)}\` +\\|`), `${name}'s default in README`);
    }
  });

  it('checks ranges in run units, whichever face built the settings', () => {
    const ok = settingDefaults(folders);
    checkRunSettings(ok);
    assert.throws(() => checkRunSettings({ ...ok, timeoutMs: 3_000_000_000 }), /the timeout must be from 1 to 86400 seconds; got 3000000/);
    assert.throws(() => checkRunSettings({ ...ok, maxImageBytes: 0 }), /the image size limit must be a whole number from 1 to 4096 MB; got 0/);
  });
});
