// Every setting of a run, put together from the areas that declare them (the model's in
// src/model/modelSettings.ts, the searches' in src/search/searchSettings.ts, the benchmarks'
// in benchSettings.ts, the agent's here; the review views' in src/review/reviewSettings.ts).
// The `gog` flags and their help, the VS Code settings reader, the range checks every run
// makes, and the test that package.json contributes exactly these settings are all derived
// from this one list, so a setting is still declared in one place.
import * as path from 'node:path';
import { DIALECT_IDS } from '../core/trajectoryTerms';
import { BOX_FORMATS, DEFAULT_MAX_PIXELS } from '../core/geometry';
import { DEFAULT_MAX_TURNS, DEFAULT_TOP_K } from '../core/agent';
import { MB, rangeMessage, SettingError, type SettingDeclOf } from '../core/settingDecl';
import { MODEL_SETTINGS, type ModelRunSettings } from '../model/modelSettings';
import { ANNOTATOR_SETTING, BLIND_SETTING, REVIEW_SETTINGS } from '../review/reviewSettings';
import { DEFAULT_MAX_IMAGE_BYTES } from '../vision/imageLimits';
import { SEARCH_SETTINGS, type SearchSettings } from '../search/searchSettings';
import { BENCH_SETTINGS, type BenchRunSettings } from './benchSettings';
import { applyPreset, checkPreset, PRESET_IDS, type PresetId } from './presets';

/** The run settings a user sets: in VS Code as gog.<name>, on the command line as --<flag>. */
export interface RunSettings extends ModelRunSettings, SearchSettings, BenchRunSettings {
  /** A peer's rollout to imitate (presets.ts): it fixes the dialect, the budget and the run's rules. */
  preset: PresetId;
  dialect: (typeof DIALECT_IDS)[number];
  boxFormat: (typeof BOX_FORMATS)[number];
  maxTurns: number;
  maxPixels: number;
  topK: number;
  evidenceImages: boolean;
  /** Bytes read of the image file at most. */
  maxImageBytes: number;
  /** Prompt files replacing the dialect's wording (absolute once read); empty: the dialect's own. */
  promptsDir: string;
}

/** A setting of a run, of any area. */
export type SettingDecl = SettingDeclOf<keyof RunSettings>;

/** Every setting of a run: the model's, the agent's, the searches' and the benchmarks'. */
export const RUN_SETTINGS: readonly SettingDecl[] = [
  ...MODEL_SETTINGS,
  {
    key: 'preset',
    name: 'preset',
    flag: 'preset',
    label: 'the preset',
    type: 'enum',
    values: PRESET_IDS,
    descriptions: [
      'No preset: the run follows the other settings.',
      "MMSearch-R1's rollout: the mmsearch-r1 dialect, 3 turns, 5 results per search, at most 1 image search and 2 text searches; the last turn gets no extra words; a search past its limit or on the last turn, or a turn with no action, ends the run with no answer.",
    ],
    default: 'none',
    description:
      "Run as a peer's rollout ran, to evaluate its checkpoints on the distribution they were trained on. A preset fixes the dialect, max turns and results per search: one of them set to another value beside it is refused. The run records the preset.",
    help: "imitate a peer's rollout: none | mmsearch-r1 (its dialect, 3 turns, 1 image and 2 text searches, no last-turn words)",
  },
  {
    key: 'dialect',
    name: 'dialect',
    flag: 'dialect',
    label: 'the dialect',
    type: 'enum',
    values: DIALECT_IDS,
    descriptions: [
      'Glance-or-Gaze tags: <think>, <reflect>, <search><img></search>, <search><bbox>[x1, y1, x2, y2]</bbox></search>, <text_search>, <answer>.',
      "MMSearch-R1's published format: <reason>, <search><img></search>, <text_search>, <answer>; no region search.",
      'OpenAI function calling: tools image_search{region?}, text_search{query}, answer{text}; for general models.',
    ],
    default: 'gog',
    description: 'How the agent and the model talk: the tags (or tools) the model writes its actions in.',
  },
  {
    key: 'boxFormat',
    name: 'boxFormat',
    flag: 'box-format',
    label: 'the box format',
    type: 'enum',
    values: BOX_FORMATS,
    descriptions: [
      'Absolute pixels of the image that was sent (Qwen2.5-VL); both sides are rounded to multiples of 28.',
      'Relative coordinates, 0–1000 (Qwen3-VL).',
      'Relative coordinates, 0–1.',
    ],
    default: 'pixels-sent',
    description: 'The coordinates the model writes gaze boxes in.',
  },
  {
    key: 'maxTurns',
    name: 'maxTurns',
    flag: 'max-turns',
    label: 'max turns',
    type: 'integer',
    default: DEFAULT_MAX_TURNS,
    min: 1,
    max: 1000,
    description: 'Turn budget per question. The last turn is told to answer (unless a preset says otherwise); unparseable turns count against it.',
  },
  {
    key: 'maxPixels',
    name: 'maxPixels',
    flag: 'max-pixels',
    label: 'max pixels',
    type: 'integer',
    default: DEFAULT_MAX_PIXELS,
    min: 56 * 56,
    max: 50_000_000,
    description: 'Cap on the pixels of the image sent to the model (default 1280·28·28), and of gaze crops sent to search.',
  },
  {
    key: 'topK',
    name: 'resultsPerSearch',
    flag: 'top-k',
    label: 'results per search',
    type: 'integer',
    default: DEFAULT_TOP_K,
    min: 1,
    max: 20,
    description: 'Results kept from each search.',
  },
  {
    key: 'evidenceImages',
    name: 'evidenceImages',
    flag: 'evidence-images',
    label: 'evidence images',
    type: 'boolean',
    default: true,
    description:
      'Send result thumbnails to the model as images. vLLM accepts one image per prompt unless started with `--limit-mm-per-prompt`; turn this off for such servers.',
    help: 'send result thumbnails to the model',
    negated: 'send the model no result thumbnails, only their text (for servers that take one image per prompt)',
  },
  {
    key: 'maxImageBytes',
    name: 'maxImageMB',
    flag: 'max-image-mb',
    label: 'the image size limit',
    type: 'integer',
    default: DEFAULT_MAX_IMAGE_BYTES / MB,
    min: 1,
    max: 4096,
    unit: 'MB',
    scale: MB,
    description: 'Largest image file the agent reads, in megabytes. Only regular files are read.',
    help: 'largest image file read, in MB',
  },
  {
    key: 'promptsDir',
    name: 'promptsFolder',
    flag: 'prompts',
    label: 'the prompts folder',
    type: 'folder',
    default: '',
    restricted: true,
    description:
      "Folder of prompt files that replace the dialect's wording, so a checkpoint runs with the prompts it was trained on: `first.txt` (the opening turn; `<image>` marks where the image goes), `after-image-search.txt`, `after-text-search.txt` and `force-answer.txt`, in a subfolder named after the dialect or in the folder itself; `{question}` stands for the question. A file that is absent keeps the built-in wording. Empty: the built-in wording.",
    help: "prompt files replacing the dialect's wording (first.txt, after-image-search.txt, after-text-search.txt, force-answer.txt)",
  },
  ...SEARCH_SETTINGS,
  ...BENCH_SETTINGS,
];

/** Where folder settings resolve: relative paths against `base`, empty to `defaults[key]`. */
export interface FolderContext {
  base: string;
  defaults: Partial<Record<keyof RunSettings, string>>;
}

function scaleOf(d: SettingDecl): number {
  return d.type === 'integer' || d.type === 'number' ? (d.scale ?? 1) : 1;
}

/** The default of every setting, in run units (milliseconds, bytes). */
export function settingDefaults(folders: FolderContext): RunSettings {
  const out: Record<string, unknown> = {};
  for (const d of RUN_SETTINGS)
    out[d.key] = d.type === 'folder' ? (folders.defaults[d.key] ?? '') : typeof d.default === 'number' ? d.default * scaleOf(d) : d.default;
  return out as unknown as RunSettings;
}

/** Checks a value in setting units (seconds, MB); returns it in run units, or throws a SettingError. */
function accept(d: SettingDecl, value: unknown, folders: FolderContext): unknown {
  switch (d.type) {
    case 'string':
      if (typeof value !== 'string') throw new SettingError(`${d.label} must be text; got ${JSON.stringify(value)}`);
      return value.trim() || d.default;
    case 'enum':
      if (typeof value !== 'string' || !d.values.includes(value))
        throw new SettingError(`unknown ${d.label.replace(/^the /, '')} ${JSON.stringify(value)}; use one of ${d.values.join(', ')}`);
      return value;
    case 'integer':
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && value >= d.min && value <= d.max && (d.type === 'number' || Number.isInteger(value));
      if (!ok) throw new SettingError(rangeMessage(d, typeof value === 'number' ? value : JSON.stringify(value)));
      return value * scaleOf(d);
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new SettingError(`${d.label} must be true or false; got ${JSON.stringify(value)}`);
      return value;
    case 'folder': {
      if (typeof value !== 'string') throw new SettingError(`${d.label} must be a path; got ${JSON.stringify(value)}`);
      const v = value.trim();
      if (!v) return folders.defaults[d.key] ?? '';
      return path.isAbsolute(v) ? v : path.resolve(folders.base, v);
    }
    case 'urls': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SettingError(`${d.label} must be an object of names to URLs`);
      const out: Record<string, string> = {};
      for (const [name, url] of Object.entries(value as Record<string, unknown>)) {
        if (!d.keys.includes(name)) throw new SettingError(`${d.label}: unknown name ${JSON.stringify(name)}; use one of ${d.keys.join(', ')}`);
        if (typeof url !== 'string' || !isHttpUrl(url.trim())) throw new SettingError(`${d.label}: ${name} must be an http(s) URL; got ${JSON.stringify(url)}`);
        out[name] = url.trim().replace(/\/+$/, '');
      }
      return out;
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Reads every setting through `get` (VS Code's configuration, say), which returns undefined
 * for one that is not set. A value of the wrong type or out of range is a SettingError naming
 * the setting, never silently replaced.
 */
export function settingsFromConfig(get: (name: string) => unknown, folders: FolderContext, isSet?: (name: string) => boolean): RunSettings {
  const out = settingDefaults(folders) as unknown as Record<string, unknown>;
  for (const d of RUN_SETTINGS) {
    const value = get(d.name);
    if (value === undefined || value === null) continue;
    try {
      out[d.key] = accept(d, value, folders);
    } catch (e) {
      throw new SettingError(`setting gog.${d.name}: ${(e as Error).message}`);
    }
  }
  // `get` may answer a default for a setting nobody set (VS Code does): `isSet` says which the user set.
  const set = (key: keyof RunSettings) => {
    const name = declOf(key).name;
    return isSet ? isSet(name) : get(name) !== undefined && get(name) !== null;
  };
  return withPreset(out as unknown as RunSettings, set, (key) => `setting gog.${declOf(key).name}`);
}

function declOf(key: keyof RunSettings): SettingDecl {
  return RUN_SETTINGS.find((d) => d.key === key)!;
}

/** The preset's settings filled in; one given beside it with another value is a SettingError naming both. */
function withPreset(s: RunSettings, given: (key: keyof RunSettings) => boolean, nameOf: (key: keyof RunSettings) => string): RunSettings {
  try {
    return applyPreset(s, given, nameOf);
  } catch (e) {
    throw new SettingError((e as Error).message);
  }
}

/** A flag of the `gog` command: what node:util parseArgs takes, and what `gog help` says of it. */
export interface CliFlag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** The one-letter form, `-i`. */
  short?: string;
  /** What the value is called in help: N, DIR, URL (none for a boolean). */
  arg?: string;
  /** What the flag does, with its default and range. */
  help: string;
}

/** The flag of a setting, as parseArgs reads it: a boolean that defaults to true is `no-<flag>`. */
function flagName(d: SettingDecl): string {
  return d.type === 'boolean' && d.default ? `no-${d.flag}` : d.flag;
}

/** The value's name in help. */
function argName(d: SettingDecl): string | undefined {
  switch (d.type) {
    case 'folder':
      return 'DIR';
    case 'enum':
      return d.values.length > 4 ? 'ID' : d.values.join('|');
    case 'string':
      return 'TEXT';
    case 'urls':
      return 'NAME=URL';
    case 'integer':
    case 'number':
      return 'N';
    case 'boolean':
      return undefined;
    default:
      return unreachable(d);
  }
}

function unreachable(d: never): never {
  throw new Error(`unknown setting type ${JSON.stringify(d)}`);
}

/** What `gog help` says of a setting's flag: a --no-… flag says what it does, then what the default does. */
function flagHelp(d: SettingDecl): string {
  const plain = (d.help ?? d.description).replace(/\*\*|`/g, '');
  if (d.type === 'boolean') return d.default ? `${d.negated ?? `do not ${plain}`} (default: ${plain})` : plain;
  const range = d.type === 'integer' || d.type === 'number' ? ` [${d.min}–${d.max}${d.unit ? ` ${d.unit}` : ''}]` : '';
  // Every default is shown, in the flag's units, unless the text already says it.
  const shown = d.type === 'folder' || d.type === 'urls' || d.default === '' ? 'none' : String(d.default);
  const dflt = /\bdefault\b/i.test(plain) ? '' : ` (default ${shown})`;
  const repeat = d.type === 'urls' && !/repeatable/.test(plain) ? ' (repeatable)' : '';
  return `${plain}${dflt}${range}${repeat}`;
}

/** The flag of every setting, by its name on the command line: parseArgs options and their help. */
export function settingFlags(): Record<string, CliFlag> {
  const out: Record<string, CliFlag> = {};
  for (const d of RUN_SETTINGS) {
    const arg = argName(d);
    out[flagName(d)] = {
      type: d.type === 'boolean' ? 'boolean' : 'string',
      ...(d.type === 'urls' ? { multiple: true } : {}),
      ...(arg ? { arg } : {}),
      help: flagHelp(d),
    };
  }
  return out;
}

/**
 * The settings given on a command line (parsed by parseArgs with settingFlags()), over the
 * defaults. A flag that is not a number where one is needed throws a SettingError naming
 * the flag; ranges are checked by checkRunSettings.
 */
export function settingsFromCli(values: Record<string, unknown>, folders: FolderContext, base: RunSettings = settingDefaults(folders)): RunSettings {
  const out = { ...base } as unknown as Record<string, unknown>;
  for (const d of RUN_SETTINGS) {
    if (d.type === 'boolean') {
      if (values[flagName(d)] === true) out[d.key] = !d.default;
      continue;
    }
    if (d.type === 'urls') {
      const given = values[d.flag];
      if (!Array.isArray(given) || !given.length) continue;
      const pairs: Record<string, string> = {};
      for (const item of given as string[]) {
        const at = item.indexOf('=');
        if (at <= 0) throw new SettingError(`--${d.flag} takes NAME=URL; got "${item}"`);
        pairs[item.slice(0, at).trim()] = item.slice(at + 1).trim();
      }
      out[d.key] = accept(d, pairs, folders);
      continue;
    }
    const raw = values[d.flag];
    if (typeof raw !== 'string') continue;
    if (d.type === 'integer' || d.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new SettingError(`--${d.flag} needs a number; got "${raw}"`);
      out[d.key] = n * scaleOf(d);
    } else if (d.type === 'folder') out[d.key] = accept(d, raw, folders);
    else out[d.key] = raw;
  }
  const given = (key: keyof RunSettings) => {
    const d = declOf(key);
    return d.type === 'boolean' ? values[flagName(d)] === true : values[d.flag] !== undefined;
  };
  return withPreset(out as unknown as RunSettings, given, (key) => `--${declOf(key).flag}`);
}

/** Checks every setting's type and range (in run units); throws a SettingError naming the first bad one. */
export function checkRunSettings(s: RunSettings): void {
  for (const d of RUN_SETTINGS) {
    const value: unknown = s[d.key];
    if (d.type === 'integer' || d.type === 'number') accept(d, typeof value === 'number' ? value / scaleOf(d) : value, { base: '/', defaults: {} });
    else if (d.type === 'enum' || d.type === 'boolean' || d.type === 'urls') accept(d, value, { base: '/', defaults: {} });
  }
  try {
    checkPreset(s, (key) => declOf(key).label);
  } catch (e) {
    throw new SettingError((e as Error).message);
  }
}

/** package.json `contributes.configuration.properties`, as this declaration says it must be. */
export function contributedProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  RUN_SETTINGS.forEach((d, order) => {
    const prop: Record<string, unknown> = { type: d.type === 'folder' || d.type === 'enum' ? 'string' : d.type === 'urls' ? 'object' : d.type };
    if (d.type === 'urls') {
      prop.properties = Object.fromEntries(d.keys.map((k) => [k, { type: 'string', format: 'uri' }]));
      prop.additionalProperties = false;
    }
    if (d.type === 'enum') {
      prop.enum = [...d.values];
      prop.enumDescriptions = [...d.descriptions];
    }
    prop.default = d.default;
    if (d.type === 'integer' || d.type === 'number') {
      prop.minimum = d.min;
      prop.maximum = d.max;
    }
    prop.order = order;
    prop.markdownDescription = d.description;
    out[`gog.${d.name}`] = prop;
  });
  REVIEW_SETTINGS.forEach((d, i) => {
    out[`gog.${d.name}`] = {
      type: d.type,
      default: d.default,
      minimum: d.min,
      maximum: d.max,
      order: RUN_SETTINGS.length + i,
      markdownDescription: d.description,
    };
  });
  out[`gog.${ANNOTATOR_SETTING.name}`] = {
    type: ANNOTATOR_SETTING.type,
    default: ANNOTATOR_SETTING.default,
    order: RUN_SETTINGS.length + REVIEW_SETTINGS.length,
    markdownDescription: ANNOTATOR_SETTING.description,
  };
  out[`gog.${BLIND_SETTING.name}`] = {
    type: BLIND_SETTING.type,
    default: BLIND_SETTING.default,
    order: RUN_SETTINGS.length + REVIEW_SETTINGS.length + 1,
    markdownDescription: BLIND_SETTING.description,
  };
  return out;
}

/** Settings an untrusted workspace may not set (package.json capabilities.untrustedWorkspaces). */
export function restrictedSettings(): string[] {
  return RUN_SETTINGS.filter((d) => d.restricted).map((d) => `gog.${d.name}`);
}
