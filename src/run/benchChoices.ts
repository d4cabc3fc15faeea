// The choices of a benchmark run that are not gog.* settings: how many at a time, how many
// samples, which shard, which run to take up, rollouts, the judge, the field map, and the
// preset or prompts folder for this run. `gog bench` reads them as flags; Run Benchmark… in
// VS Code asks for them, takes them from a script, and remembers them per dataset. The rules
// are here once, so both check them alike.
import * as path from 'node:path';
import { parseFieldMap, type FieldMap } from '../data/datasets';
import type { BenchMeta } from '../data/benchRun';
import { parseEndpoint } from '../model/endpoint';
import type { BenchOptions } from './bench';
import { PRESET_IDS, type PresetId } from './presets';
import { urlSecrets } from './runSecrets';
import { parseShardRequest, resolveShard, shardDir, type ResolvedShard } from './shard';
import { layoutOf, planFile, readPlan } from './shardPlan';

/** A bad choice, in one line that names it. */
export class BenchChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchChoiceError';
  }
}

/** The ranges runBench accepts: the counts a run is made of. */
export const COUNT_RANGES = {
  concurrency: { min: 1, max: 1024 },
  rollouts: { min: 1, max: 1000 },
  limit: { min: 1, max: 100_000_000 },
} as const;
export type CountName = keyof typeof COUNT_RANGES;

/** `--flag N` as the command line gives it: digits only; anything else names the flag. */
export function parseWholeNumber(flag: string, text: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new BenchChoiceError(`--${flag} needs a whole number; got "${text}"`);
  return Number(text);
}

/** A count within its range (runBench checks the same). */
export function checkCount(name: CountName, v: number): number {
  const { min, max } = COUNT_RANGES[name];
  if (!Number.isInteger(v) || v < min || v > max) throw new BenchChoiceError(`--${name} must be a whole number from ${min} to ${max}; got ${v}`);
  return v;
}

/** The judge's endpoint and model go together; the endpoint is an http(s) URL. */
export function checkJudge(endpoint: string | undefined, model: string | undefined): void {
  if (!!endpoint !== !!model) throw new BenchChoiceError('--judge-endpoint URL and --judge-model NAME go together');
  if (!endpoint) return;
  let protocol: string;
  try {
    protocol = new URL(parseEndpoint(endpoint).baseURL).protocol;
  } catch {
    throw new BenchChoiceError(`--judge-endpoint must be an http(s) URL; got "${endpoint}"`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new BenchChoiceError(`--judge-endpoint must be an http(s) URL; got "${endpoint}"`);
}

/** What a run from VS Code is made of beside the gog.* settings. */
export interface BenchChoices {
  concurrency: number;
  /** The first N samples; absent: all. */
  limit?: number;
  /** `I/N`, 0-based; absent: the whole dataset. */
  shard?: string;
  /** A run folder of this dataset to take up where it stopped; absent: a new run. */
  resume?: string;
  rollouts: number;
  judgeEndpoint?: string;
  judgeModel?: string;
  /** `--map`'s text: key=field pairs; absent: the layout is detected. */
  map?: string;
  /** For this run instead of gog.preset / gog.promptsFolder; absent: the setting. */
  preset?: PresetId;
  promptsDir?: string;
}

/** Where a run from VS Code starts when nothing was chosen before (the CLI runs 8 at a time). */
export const DEFAULT_CHOICES: BenchChoices = { concurrency: 4, rollouts: 1 };

export const CHOICE_FIELDS = [
  'concurrency',
  'limit',
  'shard',
  'resume',
  'rollouts',
  'judgeEndpoint',
  'judgeModel',
  'map',
  'preset',
  'promptsDir',
] as const satisfies readonly (keyof BenchChoices)[];
export type ChoiceField = (typeof CHOICE_FIELDS)[number];

/** A shard as `gog bench --shard` takes it, `I/N` only (`auto` reads an array job's variables, which a window has not). */
export function parseShardChoice(text: string): string {
  const request = parseShardRequest(text, undefined, {});
  if (request.kind !== 'fixed') throw new BenchChoiceError(`--shard takes I/N here; got "${text}"`);
  return `${request.index}/${request.count}`;
}

export function parseMapChoice(text: string): { text: string; map: FieldMap } {
  const map = parseFieldMap(text);
  return {
    text: Object.entries(map)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    map,
  };
}

function isPresetId(v: string): v is PresetId {
  return (PRESET_IDS as readonly string[]).includes(v);
}

/**
 * One choice from text (an input box) or a script's value: its checked value, undefined for
 * empty (the default), or a one-line error naming it. Folders resolve against `base`.
 */
export function parseChoice<F extends ChoiceField>(field: F, given: unknown, base: string): BenchChoices[F] {
  const text = typeof given === 'number' ? String(given) : given;
  if (text === undefined || text === null || (typeof text === 'string' && !text.trim())) return undefined as BenchChoices[F];
  if (typeof text !== 'string') throw new BenchChoiceError(`${field} must be text or a number; got ${JSON.stringify(given)}`);
  const v = text.trim();
  const parsed = (): unknown => {
    switch (field) {
      case 'concurrency':
      case 'rollouts':
      case 'limit':
        return checkCount(field, parseWholeNumber(field, v));
      case 'shard':
        return parseShardChoice(v);
      case 'map':
        return parseMapChoice(v).text;
      case 'preset':
        if (!isPresetId(v)) throw new BenchChoiceError(`--preset takes one of ${PRESET_IDS.join(', ')}; got "${v}"`);
        return v;
      case 'resume':
      case 'promptsDir':
        return path.resolve(base, v);
      case 'judgeEndpoint':
        checkJudge(v, 'a model');
        return v;
      case 'judgeModel':
        return v;
    }
  };
  try {
    return parsed() as BenchChoices[F];
  } catch (e) {
    if (e instanceof BenchChoiceError) throw e;
    throw new BenchChoiceError((e as Error).message);
  }
}

/** Checks the choices as a whole: each field, the judge's pair, a shard beside a resume. */
export function checkChoices(c: BenchChoices): BenchChoices {
  checkCount('concurrency', c.concurrency);
  checkCount('rollouts', c.rollouts);
  if (c.limit !== undefined) checkCount('limit', c.limit);
  checkJudge(c.judgeEndpoint, c.judgeModel);
  if (c.shard && c.resume)
    throw new BenchChoiceError('a sharded run is taken up from the terminal (gog bench --shard I/N --resume --out RUN); choose a shard or a run to resume');
  return c;
}

/**
 * The choices a script gave (the gog.runBenchmark command's options) over `start`: every
 * field it knows checked; an unknown field, or a bad value, is an error naming it.
 */
export function choicesFromScript(given: Record<string, unknown>, start: BenchChoices, base: string, alsoKnown: readonly string[] = []): BenchChoices {
  const out: Record<string, unknown> = { ...start };
  for (const [key, value] of Object.entries(given)) {
    if (alsoKnown.includes(key)) continue;
    if (!(CHOICE_FIELDS as readonly string[]).includes(key)) throw new BenchChoiceError(`unknown option "${key}"; use ${CHOICE_FIELDS.join(', ')}`);
    const v = parseChoice(key as ChoiceField, value, base);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  return checkChoices(out as unknown as BenchChoices);
}

/**
 * The choices remembered for a dataset, as far as they still hold: a field that no longer
 * passes (a rule changed, the state was edited) falls back to the default, never fails the
 * command. The resume folder is not remembered: a run taken up once is chosen again.
 */
export function rememberedChoices(stored: unknown, base: string): BenchChoices {
  const out: Record<string, unknown> = { ...DEFAULT_CHOICES };
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return { ...DEFAULT_CHOICES };
  for (const field of CHOICE_FIELDS) {
    if (field === 'resume') continue;
    try {
      const v = parseChoice(field, (stored as Record<string, unknown>)[field], base);
      if (v !== undefined) out[field] = v;
    } catch {
      // Not valid any more: the default is shown instead.
    }
  }
  const c = out as unknown as BenchChoices;
  if (!!c.judgeEndpoint !== !!c.judgeModel) {
    delete c.judgeEndpoint;
    delete c.judgeModel;
  }
  return c;
}

/**
 * What is remembered of the choices a run started with (plain JSON, no resume folder). A
 * judge endpoint that carries a secret (a token in its query string or userinfo) is not
 * remembered: workspace state is no place for one.
 */
export function choicesToRemember(c: BenchChoices): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const secretJudge = urlSecrets(c.judgeEndpoint).length > 0;
  for (const field of CHOICE_FIELDS) {
    const v = c[field];
    if (field === 'resume' || v === undefined) continue;
    if (secretJudge && (field === 'judgeEndpoint' || field === 'judgeModel')) continue;
    out[field] = v;
  }
  return out;
}

/** The key the choices for a dataset are remembered under: its resolved path. */
export function choicesKey(dataset: string): string {
  return `gog.benchChoices:${path.resolve(dataset)}`;
}

/** The choices a run folder was made with, for taking it up: a resume must agree with them. */
export function choicesOfRun(meta: BenchMeta, runDir: string, start: BenchChoices): BenchChoices {
  const out: BenchChoices = { ...start, resume: runDir, rollouts: meta.rollouts };
  delete out.limit;
  delete out.judgeEndpoint;
  delete out.judgeModel;
  delete out.map;
  delete out.shard;
  if (meta.limit !== null) out.limit = meta.limit;
  if (meta.judge) {
    out.judgeEndpoint = meta.judge.endpoint;
    out.judgeModel = meta.judge.model;
  }
  if (meta.dataset.map && Object.keys(meta.dataset.map).length)
    out.map = Object.entries(meta.dataset.map)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  return out;
}

/** What the choices make of a run's options: its folder (a shard's own under the run's), the shard and its plan, the map, the judge. */
export function benchOptionsOf(
  c: BenchChoices,
  newRunDir: string,
  judgeKey: string | undefined,
): Pick<BenchOptions, 'concurrency' | 'rollouts' | 'resume' | 'runDir' | 'limit' | 'shard' | 'plan' | 'map' | 'judge'> {
  checkChoices(c);
  const base = c.resume ?? newRunDir;
  let sharded: ResolvedShard | undefined;
  if (c.shard) {
    try {
      const plan = readPlan(base);
      sharded = resolveShard(parseShardRequest(c.shard, undefined, {}), plan && layoutOf(plan), planFile(base));
    } catch (e) {
      throw new BenchChoiceError((e as Error).message);
    }
  }
  return {
    concurrency: c.concurrency,
    rollouts: c.rollouts,
    resume: !!c.resume,
    runDir: sharded ? shardDir(base, sharded.shard) : base,
    ...(c.limit !== undefined ? { limit: c.limit } : {}),
    ...(sharded ? { shard: sharded.shard, plan: { dir: base, taskIds: sharded.taskIds } } : {}),
    ...(c.map ? { map: parseMapChoice(c.map).map } : {}),
    ...(c.judgeEndpoint && c.judgeModel ? { judge: { endpoint: c.judgeEndpoint, model: c.judgeModel, ...(judgeKey ? { apiKey: judgeKey } : {}) } } : {}),
  };
}
