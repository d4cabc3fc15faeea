// Presets: a peer's rollout as settings and run rules, so its checkpoints are evaluated on
// the distribution they were trained on. A preset fixes some settings (the dialect, the turn
// budget, results per search) and the rules the loop runs by (runRules.ts); a setting it
// fixes that is given another value beside it is refused, never silently overridden, and the
// run records the preset (the trajectory header, bench.json).
//
// mmsearch-r1: EvolvingLMMs-Lab/multimodal-search-r1, its GRPO script
// (mmsearch_r1/scripts/run_mmsearch_r1_grpo.sh: max_gen_round=3, search.image_search_limit=1,
// search.text_search_limit=2, search.topk=5) and its rollout loop
// (mmsearch_r1/workers/multimodal/rollout/vllm_rollout_spmd.py, generate_sequences): a turn
// ending in `<search><img></search>` searches the image's URL (`image_urls`), one ending in
// `<text_search>…</text_search>` searches the text; a search past its kind's limit, or on
// the last round, ends the trajectory there (it is removed from those still generating,
// with no answer and no search made); a turn that ends in neither ends it too (an answer, or
// text with no action at all); the last round gets no words beyond the usual; there is no
// crop; a text search's results come back as text, an image search's with their images.
import { DEFAULT_RULES, type RunRules } from '../core/runRules';
import type { RunSettings } from './settingsSpec';

export const PRESET_IDS = ['none', 'mmsearch-r1'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** The settings a preset may fix. */
type FixedSettings = Partial<Pick<RunSettings, 'dialect' | 'maxTurns' | 'topK'>>;

export interface Preset {
  settings: FixedSettings;
  rules: RunRules;
  /** What it imitates, for messages: "MMSearch-R1's rollout". */
  imitates: string;
}

const PRESETS: Record<Exclude<PresetId, 'none'>, Preset> = {
  'mmsearch-r1': {
    settings: { dialect: 'mmsearch-r1', maxTurns: 3, topK: 5 },
    // Their text search returns page summaries as text (utils/tools/text_search.py); images come with image searches.
    rules: { searchLimits: { image_search: 1, text_search: 2 }, lastTurn: 'plain', unreadable: 'end', textSearchImages: false },
    imitates: "MMSearch-R1's rollout",
  },
};

/** The preset of that id; undefined for none (and for an id that is none of ours: the settings check refuses it). */
export function presetOf(id: PresetId): Preset | undefined {
  return id !== 'none' && Object.hasOwn(PRESETS, id) ? PRESETS[id] : undefined;
}

/** The rules a run with these settings follows: its preset's, else our loop's own. */
export function rulesOf(id: PresetId): RunRules {
  return presetOf(id)?.rules ?? { ...DEFAULT_RULES, searchLimits: {} };
}

/** What a fixed setting is called where it was given: `--max-turns` on the command line, `gog.maxTurns` in VS Code. */
export type NameOf = (key: keyof FixedSettings) => string;

/** A setting given beside a preset that fixes it to another value. One line, naming both. */
export class PresetConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PresetConflict';
  }
}

/**
 * The settings with their preset's values filled in. `given` says which settings were set
 * explicitly (a flag on the command line, a VS Code setting the user set): one of those
 * with another value than the preset's is refused, naming it; the others take the preset's.
 */
export function applyPreset<S extends RunSettings>(settings: S, given: (key: keyof FixedSettings) => boolean, nameOf: NameOf): S {
  const preset = presetOf(settings.preset);
  if (!preset) return settings;
  const out = { ...settings };
  for (const [key, value] of Object.entries(preset.settings) as [keyof FixedSettings, string | number][]) {
    if (given(key) && settings[key] !== value)
      throw new PresetConflict(
        `${nameOf(key)} ${String(settings[key])} contradicts the ${settings.preset} preset, which runs ${String(value)} as ${preset.imitates} does; drop one of them`,
      );
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Checks that settings agree with their preset (a caller that built them by hand); throws a PresetConflict naming the first that does not. */
export function checkPreset(settings: RunSettings, nameOf: NameOf): void {
  applyPreset(settings, () => true, nameOf);
}
