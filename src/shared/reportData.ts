// What `gog report RUN_DIR` embeds in its page, imported by the node side that writes it and
// the run review bundle that reads it. The table comes first, in one compact block: columns
// rather than 10,000 objects with their keys spelled out each time, repeated words (benchmark,
// category, cause, stop) as indexes into a list, checked column by column as the rows are made.
// Each sample's trajectory summary sits in its own inert block (`gog-sample-<key>`), and each
// downscaled image in its own (`gog-image-<n>`): nothing of them is parsed until the sample
// is opened, then checked with sampleDetailSchema.
import { z } from 'zod';
import { LABELS, STOP_REASONS } from '../core/trajectory';
import { FAILURE_CAUSES } from '../core/failureCauses';
import { runInfoSchema, type ReviewRow } from './runsMessages';

/** Words that repeat down a column: the distinct values, and each row's index into them. */
interface Coded {
  values: string[];
  codes: number[];
}

/** A run's rows as columns; row i is the sample with key i. */
export interface PackedRows {
  n: number;
  id: string[];
  index: number[];
  rollout: number[];
  benchmark: Coded;
  category: Coded;
  question: string[];
  answer: (string | null)[];
  gold: string[][];
  /** '' for a right sample. */
  cause: Coded;
  em: number[];
  f1: number[];
  judge: (boolean | null)[];
  official: (number | null)[];
  /** '' for none. */
  officialMetric: Coded;
  stop: Coded;
  turns: number[];
  /** Three per row: text searches, glances, gazes. */
  searches: number[];
  /** Each row's gaze boxes, four numbers a box. */
  gazes: number[][];
  ms: number[];
  /** Two per row: prompt and completion tokens. */
  tokens: number[];
}

function code(values: readonly string[]): Coded {
  const at = new Map<string, number>();
  const codes = values.map((v) => {
    let i = at.get(v);
    if (i === undefined) at.set(v, (i = at.size));
    return i;
  });
  return { values: [...at.keys()], codes };
}

export function packRows(rows: readonly ReviewRow[]): PackedRows {
  return {
    n: rows.length,
    id: rows.map((r) => r.id),
    index: rows.map((r) => r.index),
    rollout: rows.map((r) => r.rollout),
    benchmark: code(rows.map((r) => r.benchmark)),
    category: code(rows.map((r) => r.category)),
    question: rows.map((r) => r.question),
    answer: rows.map((r) => r.answer),
    gold: rows.map((r) => r.gold),
    cause: code(rows.map((r) => r.cause ?? '')),
    em: rows.map((r) => r.em),
    f1: rows.map((r) => r.f1),
    judge: rows.map((r) => r.judge),
    official: rows.map((r) => r.official),
    officialMetric: code(rows.map((r) => r.officialMetric ?? '')),
    stop: code(rows.map((r) => r.stop)),
    turns: rows.map((r) => r.turns),
    searches: rows.flatMap((r) => r.searches),
    gazes: rows.map((r) => r.gazes.flat()),
    ms: rows.map((r) => r.ms),
    tokens: rows.flatMap((r) => r.tokens),
  };
}

class Unpacked extends Error {}

const fail = (what: string): never => {
  throw new Unpacked(what);
};
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function column<T>(v: unknown, name: string, n: number, ok: (x: unknown) => x is T): T[] {
  if (!Array.isArray(v) || v.length !== n) fail(`${name} is not a column of ${n}`);
  for (let i = 0; i < n; i++) if (!ok((v as unknown[])[i])) fail(`${name} of row ${i} is not what a row holds`);
  return v as T[];
}

function coded<T extends string>(v: unknown, name: string, n: number, allowed?: ReadonlySet<string>): T[] {
  const c = v as Partial<Coded> | null;
  if (typeof c !== 'object' || c === null) return fail(`${name} is missing`);
  const values = column(c.values, `${name} values`, Array.isArray(c.values) ? c.values.length : -1, (x): x is string => typeof x === 'string');
  if (allowed) for (const x of values) if (!allowed.has(x)) fail(`${name} "${x.slice(0, 40)}" is not one there is`);
  const codes = column(c.codes, name, n, (x): x is number => isCount(x) && x < values.length);
  return codes.map((i) => values[i] as T);
}

/**
 * The rows back from their columns, each value checked as isReviewRow checks a row (a unit
 * test holds the two to the same verdicts); a string says what is wrong with the first bad one.
 */
export function unpackRows(v: unknown, firstKey = 0): ReviewRow[] | string {
  try {
    const p = v as Partial<PackedRows> | null;
    if (typeof p !== 'object' || p === null || !isCount(p.n)) return 'the table is missing';
    const n = p.n;
    const isString = (x: unknown): x is string => typeof x === 'string';
    const id = column(p.id, 'id', n, isString);
    const index = column(p.index, 'index', n, isCount);
    const rollout = column(p.rollout, 'rollout', n, isCount);
    const benchmark = coded(p.benchmark, 'benchmark', n);
    const category = coded(p.category, 'category', n);
    const question = column(p.question, 'question', n, isString);
    const answer = column(p.answer, 'answer', n, (x): x is string | null => x === null || isString(x));
    const gold = column(p.gold, 'gold', n, (x): x is string[] => Array.isArray(x) && x.every(isString));
    const cause = coded<ReviewRow['cause'] & string>(p.cause, 'cause', n, new Set(['', ...FAILURE_CAUSES]));
    const em = column(p.em, 'em', n, isNumber);
    const f1 = column(p.f1, 'f1', n, isNumber);
    const judge = column(p.judge, 'judge', n, (x): x is boolean | null => x === null || typeof x === 'boolean');
    const official = column(p.official, 'official', n, (x): x is number | null => x === null || isNumber(x));
    const officialMetric = coded(p.officialMetric, 'official metric', n);
    const stop = coded<ReviewRow['stop']>(p.stop, 'stop', n, new Set(STOP_REASONS));
    const turns = column(p.turns, 'turns', n, isCount);
    const searches = column(p.searches, 'searches', 3 * n, isNumber);
    const gazes = column(p.gazes, 'gazes', n, (x): x is number[] => Array.isArray(x) && x.length % 4 === 0 && x.every(isNumber));
    const ms = column(p.ms, 'ms', n, isNumber);
    const tokens = column(p.tokens, 'tokens', 2 * n, isNumber);
    const rows = new Array<ReviewRow>(n);
    for (let i = 0; i < n; i++) {
      const g = gazes[i]!;
      const boxes: [number, number, number, number][] = [];
      for (let j = 0; j < g.length; j += 4) boxes.push([g[j]!, g[j + 1]!, g[j + 2]!, g[j + 3]!]);
      rows[i] = {
        key: firstKey + i,
        id: id[i]!,
        index: index[i]!,
        rollout: rollout[i]!,
        benchmark: benchmark[i]!,
        category: category[i]!,
        question: question[i]!,
        answer: answer[i]!,
        gold: gold[i]!,
        cause: cause[i] || null,
        em: em[i]!,
        f1: f1[i]!,
        judge: judge[i]!,
        official: official[i]!,
        officialMetric: officialMetric[i] || null,
        stop: stop[i]!,
        turns: turns[i]!,
        searches: [searches[3 * i]!, searches[3 * i + 1]!, searches[3 * i + 2]!],
        gazes: boxes,
        ms: ms[i]!,
        tokens: [tokens[2 * i]!, tokens[2 * i + 1]!],
      };
    }
    return rows;
  } catch (e) {
    if (e instanceof Unpacked) return e.message;
    throw e;
  }
}

/** Which samples' trajectories the report carries, and why not the others'. */
export const reportDetailsSchema = z.object({
  /** The keys of the samples whose detail is in the page. */
  keys: z.array(z.number().int().min(0)),
  /** Failures in the run, and how many of them are in. */
  failures: z.number().int().min(0),
  failuresIn: z.number().int().min(0),
  /** The size budget (--report-mb), in MB, and whether it stopped samples going in. */
  budgetMb: z.number().positive(),
  budgetSpent: z.boolean(),
  /** Samples left out because their trajectory could not be read, with the reason (one line), by key. */
  unreadable: z.record(z.string(), z.string()),
});
export type ReportDetails = z.infer<typeof reportDetailsSchema>;

/** The page's first block: the run and its table, and what the detail blocks hold. */
export const reportDataSchema = z.object({
  run: runInfoSchema,
  problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
  /** The first FIRST_REPORT_ROWS rows, checked by unpackRows, not here: a schema over 10,000 rows is what made the page slow. */
  table: z.unknown(),
  /** Rows in all: those past the first are in the REPORT_MORE_ROWS_ID block. */
  rows: z.number().int().min(0),
  details: reportDetailsSchema.optional(),
});
export type ReportData = z.infer<typeof reportDataSchema>;

const relBox = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]);

const detailActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), text: z.string() }),
  z.object({ kind: z.literal('text_search'), query: z.string() }),
  z.object({ kind: z.literal('glance') }),
  /** A gaze: the box in image-relative coordinates (0–1), as the corrected trajectory has it. */
  z.object({ kind: z.literal('gaze'), box: relBox.nullable() }),
  z.object({ kind: z.literal('parse_error'), message: z.string() }),
]);
export type DetailAction = z.infer<typeof detailActionSchema>;

/** One turn of the corrected trajectory: what the model thought, did and got back. */
export const detailStepSchema = z.object({
  step: z.number().int().min(0),
  reasoning: z.array(z.object({ kind: z.string(), text: z.string() })),
  action: detailActionSchema.nullable(),
  /** The evidence's titles and where each is from (text, shown as text). */
  evidence: z.array(z.object({ title: z.string(), url: z.string() })),
  /** Results not carried (past the first few). */
  moreEvidence: z.number().int().min(0),
  error: z.string().optional(),
  /** An annotation changed this step. */
  corrected: z.boolean(),
});
export type DetailStep = z.infer<typeof detailStepSchema>;

/** One sample's trajectory as the report shows it: read through applyAnnotations (the corrected trajectory). */
export const sampleDetailSchema = z.object({
  key: z.number().int().min(0),
  /** The image the boxes are drawn on (its block's number); null with `imageNote` saying why. */
  image: z.number().int().min(0).nullable(),
  imageNote: z.string().optional(),
  steps: z.array(detailStepSchema),
  answer: z.string().nullable(),
  stop: z.enum(STOP_REASONS),
  error: z.string().optional(),
  label: z.enum(LABELS).optional(),
  note: z.string().optional(),
  /** Lines of the trajectory that could not be read, and annotations that could not be applied. */
  problems: z.array(z.string()),
});
export type SampleDetail = z.infer<typeof sampleDetailSchema>;

export const REPORT_DATA_ID = 'gog-report';
/** The rows past the first (FIRST_REPORT_ROWS), in a block after the bundle: the first rows paint before the page has read them. */
export const REPORT_MORE_ROWS_ID = 'gog-report-rows';
export const FIRST_REPORT_ROWS = 500;
export const sampleBlockId = (key: number) => `gog-sample-${key}`;
export const imageBlockId = (n: number) => `gog-image-${n}`;
/** A downscaled image's data: URL, checked before it is put in an img (the CSP allows data: images only). */
export const IMAGE_DATA_URL = /^data:image\/(webp|jpeg);base64,[A-Za-z0-9+/]+=*$/;
