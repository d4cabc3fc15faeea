// The settings of reviewing and annotating (VS Code's gog.review.* and gog.annotator; a few
// are `gog` flags too): declared once here, beside the review code. package.json's
// contributions and their checks are derived from them (src/run/settingsSpec.ts).
import { rangeMessage, SettingError } from '../core/settingDecl';

/** The settings of the run review views, as VS Code reads them (gog.review.*). */
export interface ReviewSettings {
  /** Price per million prompt (input) tokens; 0: no cost shown. */
  pricePromptPerMillion: number;
  /** Price per million completion (output) tokens; 0: no cost shown. */
  priceCompletionPerMillion: number;
  /** The most MB a benchmark run's HTML report may weigh (Open Report; `gog report --report-mb`). */
  reportMb: number;
}

/** A setting of the review views: VS Code only, unless a `gog` command takes it too (`flag`). */
export interface ReviewSettingDecl {
  key: keyof ReviewSettings;
  name: string;
  /** The `gog` flag that sets it, without the dashes; none: VS Code only (`gog` commands do not show costs). */
  flag?: string;
  unit?: string;
  label: string;
  description: string;
  type: 'number';
  default: number;
  min: number;
  max: number;
}

export const REVIEW_SETTINGS: readonly ReviewSettingDecl[] = [
  {
    key: 'pricePromptPerMillion',
    name: 'review.pricePromptPerMillion',
    label: 'the prompt token price',
    type: 'number',
    default: 0,
    min: 0,
    max: 1_000_000,
    description:
      "Run review: the endpoint's price per million prompt (input) tokens, in any currency, for the cost per sample chart. 0 (with `gog.review.priceCompletionPerMillion` 0 too): no cost is shown.",
  },
  {
    key: 'priceCompletionPerMillion',
    name: 'review.priceCompletionPerMillion',
    label: 'the completion token price',
    type: 'number',
    default: 0,
    min: 0,
    max: 1_000_000,
    description:
      "Run review: the endpoint's price per million completion (output) tokens, in the currency of `gog.review.pricePromptPerMillion`, for the cost per sample chart. 0 (with the prompt price 0 too): no cost is shown.",
  },
  {
    key: 'reportMb',
    name: 'review.reportMb',
    flag: 'report-mb',
    label: 'the report size budget',
    type: 'number',
    default: 50,
    min: 1,
    max: 400,
    unit: 'MB',
    description:
      "Open Report and `gog report RUN_DIR --report-mb N`: the most megabytes a benchmark run's HTML report may weigh. The table always goes in; the samples' trajectories (turns, reasoning, queries, evidence titles, gaze boxes drawn on a small copy of the image) go in failures first, then the right samples, until the budget is spent. The report says how many went in and why the others did not.",
  },
];

/** A review setting given as its `gog` flag's text: its value, or a SettingError naming the flag. */
export function reviewFlagValue(d: ReviewSettingDecl, text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value) || value < d.min || value > d.max)
    throw new SettingError(`--${d.flag}: ${rangeMessage(d, JSON.stringify(text))}`);
  return value;
}

export const REPORT_MB = REVIEW_SETTINGS.find((d) => d.key === 'reportMb')!;

/** Reads gog.review.* through `get`; a value that is not a number in range is a SettingError naming it. */
export function reviewSettingsFromConfig(get: (name: string) => unknown): ReviewSettings {
  const out = Object.fromEntries(REVIEW_SETTINGS.map((d) => [d.key, d.default])) as unknown as ReviewSettings;
  for (const d of REVIEW_SETTINGS) {
    const value = get(d.name);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < d.min || value > d.max)
      throw new SettingError(`setting gog.${d.name}: ${rangeMessage(d, typeof value === 'number' ? value : JSON.stringify(value))}`);
    out[d.key] = value;
  }
  return out;
}

/** `gog.annotator`: who labels and edits in this window (VS Code only; `gog label` takes --annotator). */
export const ANNOTATOR_SETTING = {
  name: 'annotator',
  type: 'string',
  default: '',
  description:
    "Your name as an annotator: every label and edit you make records it, and goes to your own file beside the trajectory (`trajectory.annotations/`), so a team's annotations merge in git without conflicts. Empty: the `GOG_ANNOTATOR` environment variable when set, else the workspace's git `user.name`, else your account's user name.",
} as const;

/** `gog.review.blind`: the editor hides other annotators' labels and edits until you give your verdict (VS Code only). */
export const BLIND_SETTING = {
  name: 'review.blind',
  type: 'boolean',
  default: false,
  description:
    "Blind review: the trajectory editor does not show other annotators' labels and edits of a trajectory until you have given your own verdict on it (they are not sent to the editor at all). Read when a trajectory is opened. `gog label` and `gog agreement` are not affected.",
} as const;

/** Reads gog.annotator: the name given, or undefined for the default; a name that cannot be one is a SettingError. */
export function annotatorFromConfig(value: unknown, problem: (name: string) => string | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingError(`setting gog.annotator must be text; got ${JSON.stringify(value)}`);
  const name = value.trim();
  if (!name) return undefined;
  const why = problem(name);
  if (why) throw new SettingError(`setting gog.annotator ${why}`);
  return name;
}
