// The protocol between the extension and the run review webview (the failures table, its
// charts, and the comparison of two runs), imported by both bundles. Separate from the
// trajectory panel's (messages.ts) so each view's protocol changes alone. The same rules:
// the webview says `ready` before the host posts; a request carries an id and gets exactly
// one response; both sides validate what they receive. The webview never names a file: it
// asks for a sample by its row key, and the host, which read the run, finds the file.
import { z } from 'zod';
import { eventSchema, headerSchema, LABELS, STOP_REASONS } from '../core/trajectory';
import { FAILURE_CAUSES } from '../core/failureCauses';
import { FIND_FIELDS, MAX_PATTERN_CHARS } from '../core/findFields';
import { agreementMessageSchema, gazeQualityMessageSchema, MAX_SHOWN_CONFLICTS } from './agreementMessage';

const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** One sample of a run as the table shows it: what a results.jsonl line says, less what no view needs. */
export const reviewRowSchema = z.object({
  /** The row's position in results.jsonl order: how the webview names a sample to the host. */
  key: z.number().int().min(0),
  id: z.string(),
  /** The sample's position in its dataset file: the table lists samples in this order (then rollout) until sorted. */
  index: z.number().int().min(0),
  rollout: z.number().int().min(0),
  benchmark: z.string(),
  /** '' when the dataset has no categories. */
  category: z.string(),
  question: z.string(),
  answer: z.string().nullable(),
  gold: z.array(z.string()),
  /** Why it failed; null when it is right. */
  cause: z.enum(FAILURE_CAUSES).nullable(),
  em: z.number(),
  f1: z.number(),
  /** The judge's verdict; null when not judged. */
  judge: z.boolean().nullable(),
  /** The score under the benchmark's own measure (0–1) and its name; null for results recorded before it. */
  official: z.number().nullable(),
  officialMetric: z.string().nullable(),
  stop: z.enum(STOP_REASONS),
  turns: z.number().int().min(0),
  /** Text searches, glances, gazes. */
  searches: z.tuple([z.number(), z.number(), z.number()]),
  /** Gaze boxes in image-relative coordinates (0–1). */
  gazes: z.array(box),
  ms: z.number(),
  /** Prompt and completion tokens. */
  tokens: z.tuple([z.number(), z.number()]),
});
export type ReviewRow = z.infer<typeof reviewRowSchema>;

const CAUSES: ReadonlySet<unknown> = new Set(FAILURE_CAUSES);
const STOPS: ReadonlySet<unknown> = new Set(STOP_REASONS);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isString = (v: unknown) => typeof v === 'string';
const isNumbers = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every(isNumber);

/**
 * reviewRowSchema's check written out. Zod without its JIT (the webview's CSP forbids it)
 * spends about 10 µs on a row, a tenth of a second of a 10,000-sample run's first paint;
 * this takes well under one. A unit test holds the two to the same verdicts.
 */
export function isReviewRow(v: unknown): v is ReviewRow {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    isCount(r.key) &&
    isString(r.id) &&
    isCount(r.index) &&
    isCount(r.rollout) &&
    isString(r.benchmark) &&
    isString(r.category) &&
    isString(r.question) &&
    (r.answer === null || isString(r.answer)) &&
    Array.isArray(r.gold) &&
    r.gold.every(isString) &&
    (r.cause === null || CAUSES.has(r.cause)) &&
    isNumber(r.em) &&
    isNumber(r.f1) &&
    (r.judge === null || typeof r.judge === 'boolean') &&
    (r.official === null || isNumber(r.official)) &&
    (r.officialMetric === null || isString(r.officialMetric)) &&
    STOPS.has(r.stop) &&
    isCount(r.turns) &&
    isNumbers(r.searches, 3) &&
    Array.isArray(r.gazes) &&
    r.gazes.every((g) => isNumbers(g, 4)) &&
    isNumber(r.ms) &&
    isNumbers(r.tokens, 2)
  );
}

/** The rows of a run message, checked row by row with isReviewRow. */
const reviewRowsSchema = z.array(z.custom<ReviewRow>(isReviewRow, { message: 'not a review row' }));

export const runInfoSchema = z.object({
  /** The run folder's name. */
  title: z.string(),
  /** The name a person gave the run (notes.json), shown instead of the folder's. */
  name: z.string().max(200).optional(),
  notes: z.string().max(20_000).optional(),
  /** How the run was made, labelled (bench.json: model, endpoint host, dialect, …, commit). */
  identity: z
    .array(z.tuple([z.string().max(100), z.string().max(2000)]))
    .max(40)
    .optional(),
  /** The run folder, kept in the webview's state so a reloaded window can show it again. */
  source: z.string(),
  dataset: z.string().optional(),
  started: z.string().optional(),
  /** Results expected (samples × rollouts), when summary.json says. */
  total: z.number().int().min(0).nullable(),
  done: z.number().int().min(0),
  /** The run is still being written (results.jsonl is watched). */
  running: z.boolean(),
  /** Prices per million prompt and completion tokens (gog.review.price…PerMillion), for the cost chart; absent: no cost shown. */
  prices: z.object({ prompt: z.number().min(0), completion: z.number().min(0) }).optional(),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

const problemSchema = z.object({ line: z.number().int(), message: z.string() });

/**
 * How a sample's verdicts differ across the runs compared, against the baseline: with two
 * runs both_* and only_* (which run has it); with more, all_* and partial (some run lacks it).
 */
export const CHANGES = ['regression', 'improvement', 'both_right', 'both_wrong', 'only_a', 'only_b', 'all_right', 'all_wrong', 'partial'] as const;
export type Change = (typeof CHANGES)[number];

const sideSchema = z.object({
  answer: z.string().nullable(),
  right: z.boolean(),
  cause: z.enum(FAILURE_CAUSES).nullable(),
  turns: z.number().int().min(0),
  f1: z.number(),
});

/** Runs one comparison holds (src/data/compare.ts MAX_COMPARED_RUNS). */
const MAX_RUNS = 8;

/** One sample (and rollout) in every run compared. */
export const comparePairSchema = z.object({
  key: z.number().int().min(0),
  id: z.string(),
  /** The sample's position in its dataset file (the baseline's, else the first run's that has it): the order the table lists samples in. */
  index: z.number().int().min(0),
  rollout: z.number().int().min(0),
  benchmark: z.string(),
  category: z.string(),
  question: z.string(),
  gold: z.array(z.string()),
  change: z.enum(CHANGES),
  /** Its verdict in each run, in the runs' order; null where that run lacks it. */
  sides: z.array(sideSchema.nullable()).min(2).max(MAX_RUNS),
});
export type ComparePair = z.infer<typeof comparePairSchema>;

/** One figure of the runs' summaries (for all samples, or one benchmark): a value per run. */
export const summaryDeltaSchema = z.object({
  group: z.string(),
  metric: z.string(),
  values: z.array(z.number().nullable()).min(2).max(MAX_RUNS),
  /** Higher is better (accuracy) or worse (turns, latency), for colouring the delta. */
  better: z.enum(['higher', 'lower', 'neither']),
  format: z.enum(['percent', 'number', 'ms']),
});
export type SummaryDelta = z.infer<typeof summaryDeltaSchema>;

const rate = z.number().min(0).max(1);

/**
 * A run's share of right answers against the baseline's on the samples both have, with how
 * sure the difference is: McNemar's exact p and the paired bootstrap interval (src/data/significance.ts).
 */
export const pairedFigureSchema = z.object({
  /** 'all', a benchmark or a category. */
  group: z.string(),
  kind: z.enum(['all', 'benchmark', 'category']),
  /** The run set against the baseline (its place among the runs). */
  run: z.number().int().min(0),
  /** Samples both runs have; of those, right in the baseline only (b) and in the other run only (c). */
  n: z.number().int().positive(),
  b: z.number().int().min(0),
  c: z.number().int().min(0),
  baseline: rate,
  other: rate,
  /** McNemar's exact two-sided p. */
  p: rate,
  /** The paired bootstrap's 95 % interval of other − baseline. */
  ci: z.tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)]),
});
export type PairedFigure = z.infer<typeof pairedFigureSchema>;

/** How the intervals were drawn, for the view to say. */
export const bootstrapInfoSchema = z.object({ resamples: z.number().int().positive(), seed: z.number().int(), level: z.number().min(0).max(1) });

/** Where two trajectories of a sample first take different actions. */
export const divergenceSchema = z.object({
  /** The first step whose actions differ; null when the two take the same actions throughout. */
  step: z.number().int().positive().nullable(),
  /** Each side's action at that step, in words; null when that trajectory had ended. */
  a: z.string().nullable(),
  b: z.string().nullable(),
  /** Steps each took in all. */
  aSteps: z.number().int().min(0),
  bSteps: z.number().int().min(0),
});
export type Divergence = z.infer<typeof divergenceSchema>;

/** One side of a trajectory diff: the run, its verdict and its whole trajectory. */
const diffSideSchema = z.object({
  /** The run's letter in the comparison (A, B, …) and its folder's name. */
  label: z.string(),
  title: z.string(),
  side: sideSchema,
  header: headerSchema.nullable(),
  events: z.array(eventSchema),
  problems: z.array(problemSchema),
});

/** Two trajectories of one sample, for the side-by-side diff. */
export const diffMessageSchema = z.object({
  type: z.literal('diff'),
  sample: z.object({ id: z.string(), rollout: z.number().int().min(0), question: z.string(), gold: z.array(z.string()) }),
  sides: z.tuple([diffSideSchema, diffSideSchema]),
  /** The image both runs' boxes are drawn on (a URL the host checked), with its oriented size; null when neither run's image may be shown. */
  image: z.object({ url: z.string(), width: z.number().positive(), height: z.number().positive(), from: z.number().int().min(0).max(1) }).nullable(),
  /** Said above the image: the two runs saw different images, say. */
  notes: z.array(z.string()),
  divergence: divergenceSchema,
});
export type DiffMessage = z.infer<typeof diffMessageSchema>;

/** A sample whose trajectory holds the text searched for: its first match, with some text around it (text, never markup). */
export const findHitSchema = z.object({
  key: z.number().int().min(0),
  step: z.number().int().min(0),
  field: z.enum(FIND_FIELDS),
  /** The field as said: "reflection", "evidence 2 title", "answer (corrected)". */
  label: z.string(),
  before: z.string(),
  match: z.string(),
  after: z.string(),
});
export type FindHit = z.infer<typeof findHitSchema>;

/** Host → webview. */
export const MAX_QUEUE_KEYS = 1_000_000;

export const runsHostMessageSchema = z.discriminatedUnion('type', [
  /** The sample the trajectory editor moved to (next or previous sample): the table selects it. */
  z.object({ type: z.literal('select'), key: z.number().int().min(0) }),
  /** A run's samples: the whole file as it is now. */
  z.object({ type: z.literal('run'), run: runInfoSchema, rows: reviewRowsSchema, problems: z.array(problemSchema) }),
  /** Samples appended since (a run being written), with its progress. */
  z.object({ type: z.literal('rows'), run: runInfoSchema, rows: reviewRowsSchema, problems: z.array(problemSchema) }),
  /** Two to eight runs side by side, read against a baseline. */
  z.object({
    type: z.literal('compare'),
    runs: z.array(runInfoSchema).min(2).max(MAX_RUNS),
    /** The run the others are set against (its place in `runs`). */
    baseline: z.number().int().min(0),
    pairs: z.array(comparePairSchema),
    deltas: z.array(summaryDeltaSchema),
    paired: z.array(pairedFigureSchema),
    bootstrap: bootstrapInfoSchema,
    problems: z.array(z.string()),
  }),
  diffMessageSchema,
  /** Samples found by the trajectory search `search` since the last message, each once. */
  z.object({ type: z.literal('found'), search: z.number().int().min(0), hits: z.array(findHitSchema) }),
  /** The trajectory search `search` is over: files searched, and why it stopped early (one line) if it did. */
  z.object({
    type: z.literal('findDone'),
    search: z.number().int().min(0),
    searched: z.number().int().min(0),
    error: z.string().optional(),
  }),
  /** Export Table… from the command palette over the run's panel: the webview asks to export what it lists. */
  z.object({ type: z.literal('exportTable') }),
  /** Agreement between annotators over a folder (Show Agreement…): the figures of `gog agreement` and its conflicts. */
  agreementMessageSchema,
  /** A run's gaze quality (the model's boxes against the annotators' corrections), read after its rows. */
  gazeQualityMessageSchema,
  z.object({
    type: z.literal('response'),
    requestId: z.number().int(),
    ok: z.boolean(),
    error: z.string().optional(),
    divergence: divergenceSchema.optional(),
  }),
]);
export type RunsHostMessage = z.infer<typeof runsHostMessageSchema>;

export const runsRequestSchema = z.discriminatedUnion('method', [
  /** Opens a sample's trajectory in the trajectory editor; `run` picks the run in a comparison (its place, from 0). */
  z.object({
    method: z.literal('openSample'),
    key: z.number().int().min(0),
    /** The samples the table lists, in its order (its filter and sort): what next and previous sample step through. */
    listed: z.array(z.number().int().min(0)).max(MAX_QUEUE_KEYS).optional(),
    run: z
      .number()
      .int()
      .min(0)
      .max(MAX_RUNS - 1)
      .optional(),
  }),
  /** Writes the samples' trajectories to a review queue and opens it; `label` says which filter chose them. */
  z.object({ method: z.literal('startQueue'), keys: z.array(z.number().int().min(0)).max(MAX_QUEUE_KEYS), label: z.string().max(200) }),
  /** Asks the person for the run's name or notes (an input box of the host's) and stores them in the run folder. */
  z.object({ method: z.literal('editRun'), field: z.enum(['name', 'notes']) }),
  /** The first step where a compared sample's trajectories in the baseline and in run `run` diverge. */
  z.object({
    method: z.literal('divergence'),
    key: z.number().int().min(0),
    run: z
      .number()
      .int()
      .min(0)
      .max(MAX_RUNS - 1),
  }),
  /** Reads the comparison against another baseline run: the host answers, then sends the comparison anew. */
  z.object({
    method: z.literal('baseline'),
    run: z
      .number()
      .int()
      .min(0)
      .max(MAX_RUNS - 1),
  }),
  /** Opens the side-by-side diff of a sample's trajectories in the baseline and in run `run`. */
  z.object({
    method: z.literal('diff'),
    key: z.number().int().min(0),
    run: z
      .number()
      .int()
      .min(0)
      .max(MAX_RUNS - 1),
  }),
  /** Writes the samples (the listed rows, in the table's order) to a CSV or Parquet file the host asks the user for. */
  z.object({ method: z.literal('exportTable'), keys: z.array(z.number().int().min(0)).max(MAX_QUEUE_KEYS) }),
  /** Agreement panel: opens conflict `index` (its place in the report's list) in the trajectory editor. */
  z.object({ method: z.literal('openConflict'), index: z.number().int().min(0).max(MAX_SHOWN_CONFLICTS) }),
  /** Agreement panel: writes the adjudicator's verdict on conflict `index` (as gog label --adjudicate does), then sends the figures anew. */
  z.object({ method: z.literal('adjudicate'), index: z.number().int().min(0).max(MAX_SHOWN_CONFLICTS), label: z.enum(LABELS) }),
  /** Agreement panel: opens the review queue over exactly the conflict samples. */
  z.object({ method: z.literal('reviewConflicts') }),
]);
export type RunsRequest = z.infer<typeof runsRequestSchema>;

/** Webview → host. */
export const runsViewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /**
   * Searches the run's trajectories (src/data/find) for a text or regular expression; any
   * search still going stops. An empty pattern only stops it. Answered with `found` messages
   * as samples are found, then `findDone`, all carrying `search`.
   */
  z.object({
    type: z.literal('find'),
    search: z.number().int().min(0),
    pattern: z.string().max(MAX_PATTERN_CHARS),
    regex: z.boolean(),
  }),
  z.object({ type: z.literal('request'), requestId: z.number().int(), request: runsRequestSchema }),
]);
export type RunsViewMessage = z.infer<typeof runsViewMessageSchema>;

/** 'index': dataset order (the default); 'key': the order results were written in (kept so an older saved state still reads). */
/** A filter made by clicking a turns bar: the samples that took this many turns (and, from a stacked segment, were right or wrong). */
export const turnsFilterSchema = z.object({ turns: z.number().int().min(0), outcome: z.enum(['right', 'wrong']).optional() });
export type TurnsFilter = z.infer<typeof turnsFilterSchema>;

/** A filter made by clicking the gaze heatmap: the samples with a gaze box over cell (col, row) of a size × size grid; the failures only when the heatmap showed them. */
export const gazeFilterSchema = z.object({
  col: z.number().int().min(0),
  row: z.number().int().min(0),
  size: z.number().int().positive(),
  failures: z.boolean(),
});
export type GazeFilter = z.infer<typeof gazeFilterSchema>;

export const SORT_COLUMNS = ['index', 'key', 'id', 'benchmark', 'category', 'question', 'answer', 'gold', 'cause', 'f1', 'turns', 'searches', 'ms'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

/** What the webview keeps across reloads (setState), and the host reads to revive a panel. */
export const runsViewStateSchema = z.object({
  /** The run folder shown; with `compareWith`, the two runs compared (as saved before `compared`). */
  run: z.string().optional(),
  compareWith: z.string().optional(),
  /** The run folders compared, in order, and the baseline's place among them. */
  compared: z.array(z.string()).max(MAX_RUNS).optional(),
  baseline: z.number().int().min(0).optional(),
  tab: z.enum(['samples', 'charts']).optional(),
  /** Causes shown ('right' for right samples); empty or absent: all. */
  causes: z.array(z.string()).optional(),
  benchmark: z.string().optional(),
  category: z.string().optional(),
  text: z.string().optional(),
  /** Filters made from the charts (benchmark and category share the selects' fields). */
  turns: turnsFilterSchema.nullable().optional(),
  gaze: gazeFilterSchema.nullable().optional(),
  sort: z.object({ column: z.enum(SORT_COLUMNS), descending: z.boolean() }).optional(),
  scrollTop: z.number().optional(),
  selected: z.number().int().optional(),
  heatmap: z.enum(['all', 'failures']).optional(),
  /** The trajectory search typed: run again when the webview is rebuilt (its tab came back). */
  find: z.object({ pattern: z.string().max(1000), regex: z.boolean() }).optional(),
  /** Comparison: which changes are listed; empty or absent: regressions and improvements. */
  changes: z.array(z.enum(CHANGES)).optional(),
});
export type RunsViewState = z.infer<typeof runsViewStateSchema>;
