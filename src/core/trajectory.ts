// The trajectory record (docs/ARCHITECTURE.md, "The trajectory record"): one header line,
// then one line per event, appended as the run goes. Schema version 1. Objects are
// "loose": fields a later version adds survive a read by this one.
import { z } from 'zod';
import { BOX_FORMATS } from './geometry';
import { DIALECT_IDS, LABELS } from './trajectoryTerms';

export { DIALECT_IDS, LABELS, type DialectId, type Label } from './trajectoryTerms';

export const TRAJECTORY_SCHEMA = 1;
/**
 * Why a run stopped. Besides an answer, running out of turns, a cancel and a failure, a run
 * whose rules (runRules.ts) end it early stops at a search past its limit (`search_limit`) or
 * at a turn that could not be read (`parse_error`), as MMSearch-R1's rollout ends a trajectory.
 */
export const STOP_REASONS = ['answered', 'max_turns', 'cancelled', 'error', 'search_limit', 'parse_error'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** The rules of runRules.ts as a record holds them: each part absent means our loop's own. */
export const runRulesSchema = z.looseObject({
  /** Searches of each kind a run may make. */
  searchLimits: z.looseObject({ image_search: z.number().int().min(0).optional(), text_search: z.number().int().min(0).optional() }).optional(),
  /** `force`: the last turn is told to answer; `plain`: it is asked as any other, and a search there ends the run. */
  lastTurn: z.enum(['force', 'plain']).optional(),
  /** `tell`: a turn that could not be read is told to the model; `end`: it ends the run. */
  unreadable: z.enum(['tell', 'end']).optional(),
  /** false: a text search's evidence was sent without its results' images. */
  textSearchImages: z.boolean().optional(),
});

const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const sizeSchema = z.looseObject({ width: z.number().int().positive(), height: z.number().int().positive() });

export const headerSchema = z.looseObject({
  type: z.literal('header'),
  schema: z.literal(TRAJECTORY_SCHEMA),
  id: z.string().min(1),
  created: z.string(),
  question: z.string(),
  gold: z.array(z.string()).optional(),
  dataset: z.string().optional(),
  sampleId: z.string().optional(),
  image: z.looseObject({
    /** Relative to the folder holding the trajectory file. */
    path: z.string(),
    sha256: z.string(),
    format: z.string(),
    /** As stored in the file, before EXIF orientation. */
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    orientation: z.number().int().min(1).max(8),
    oriented: sizeSchema,
    sent: z.looseObject({ width: z.number().int().positive(), height: z.number().int().positive(), path: z.string().optional() }),
    /** Where the image is on the web, when it is (a dataset's own image URL), without credentials. */
    url: z.string().optional(),
  }),
  model: z.looseObject({
    /** Endpoint URL with any credentials and query string removed. */
    endpoint: z.string(),
    name: z.string(),
    dialect: z.enum(DIALECT_IDS),
    boxFormat: z.enum(BOX_FORMATS),
    temperature: z.number().optional(),
    maxTokens: z.number().optional(),
    evidenceImages: z.boolean().optional(),
  }),
  agent: z.looseObject({
    maxTurns: z.number().int().positive(),
    topK: z.number().int().positive(),
    /** The preset the run followed (`mmsearch-r1`): it set the dialect, the budget and the rules. */
    preset: z.string().optional(),
    /** What ends the run besides an answer and the budget, where it is not our loop's own (runRules.ts). */
    rules: runRulesSchema.optional(),
  }),
  search: z.looseObject({
    /** The providers' ids as they name themselves in results and cache keys. */
    image: z.string(),
    text: z.string(),
    /** Where each web service used was reached (no credentials). */
    services: z.record(z.string(), z.string()).optional(),
    /** Where images were uploaded for services that take URLs (no credentials). */
    uploader: z.string().optional(),
    /** Page reading: who read the pages, who summarised them, how many per search. */
    pages: z.looseObject({ reader: z.string(), summarizer: z.string(), pages: z.number().int().positive() }).optional(),
  }),
  tools: z.record(z.string(), z.string()),
  /**
   * The exact instructions the model was given: the opening turn's text (`<image>` where the
   * image went), the words after an image search and after a text search, and the last-turn
   * line; where they came from (`built-in`, or the prompts folder) and, for prompt files, a
   * hash of them.
   */
  prompts: z
    .looseObject({
      source: z.string(),
      sha256: z.string().optional(),
      opening: z.array(z.looseObject({ role: z.string(), text: z.string() })),
      afterImageSearch: z.string(),
      afterTextSearch: z.string(),
      forceAnswer: z.string(),
    })
    .optional(),
  note: z.string().optional(),
  /**
   * A branch: this run continues another from a corrected step. The parent's file (relative
   * to this trajectory's folder), its id, and the step from which this run differs from it.
   */
  parent: z.looseObject({ file: z.string(), id: z.string(), step: z.number().int().positive() }).optional(),
});
export type TrajectoryHeader = z.infer<typeof headerSchema>;

const eventBase = {
  /** 1-based turn; 0 for events before the first turn. */
  step: z.number().int().min(0),
  /** ISO time the event was recorded. */
  t: z.string(),
  /**
   * Names the event within its file, for annotations to point at: `e1`, `e2`… in the order
   * written. Files from before ids were written get `L<line>` from the reader.
   */
  id: z.string().min(1).max(64).optional(),
};

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

export const modelTurnSchema = z.looseObject({
  type: z.literal('model_turn'),
  ...eventBase,
  /** The assistant text exactly as returned, parseable or not. */
  raw: z.string(),
  reasoning: z.string().optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  usage: z.looseObject({ prompt: z.number(), completion: z.number() }).optional(),
  finishReason: z.string().nullable().optional(),
  /** Only part of the reply is kept: cut at the size cap, or the turn failed partway. */
  cut: z.looseObject({ reason: z.enum(['too_long', 'timeout', 'error']), message: z.string() }).optional(),
  ms: z.number(),
});

export const reflectionSchema = z.looseObject({
  type: z.literal('reflection'),
  ...eventBase,
  kind: z.enum(['think', 'reflect', 'reason']),
  text: z.string(),
});

export const regionBoxSchema = z.looseObject({ model: boxSchema, sent: boxSchema, original: boxSchema });
export type RegionBox = z.infer<typeof regionBoxSchema>;

export const actionRecordSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('answer'), text: z.string() }),
  z.looseObject({ kind: z.literal('text_search'), query: z.string() }),
  z.looseObject({
    kind: z.literal('image_search'),
    scope: z.enum(['full', 'region']),
    box: regionBoxSchema.optional(),
    /** The searched crop, relative to the trajectory's folder. */
    crop: z.string().optional(),
  }),
  z.looseObject({ kind: z.literal('parse_error'), message: z.string() }),
]);
export type ActionRecord = z.infer<typeof actionRecordSchema>;

export const actionSchema = z.looseObject({ type: z.literal('action'), ...eventBase, action: actionRecordSchema });

/**
 * One search result: the one shape a result has from the provider that found it to the
 * record (providers hand the agent the same fields, with the thumbnail's pixels and the
 * page's text in hand instead of their files; see SearchHit in ports.ts).
 */
export const resultRecordSchema = z.looseObject({
  rank: z.number().int().positive(),
  title: z.string(),
  url: z.string(),
  /** What the provider said about the page (its snippet). */
  snippet: z.string(),
  /** A summary of the page read for the question; when present the model was shown it instead of the snippet. */
  summary: z.string().optional(),
  /** The page's text as read, a file relative to the trajectory's folder. */
  page: z.string().optional(),
  /** A file relative to the trajectory's folder; never a remote URL. */
  thumbnail: z.string().optional(),
  /** The provider id that found it (`serper`, `local-corpus:…`). */
  provider: z.string(),
  score: z.number().optional(),
  /** The site that published it, when the provider says (`Nike`, `en.wikipedia.org`). */
  source: z.string().optional(),
});
export type ResultRecord = z.infer<typeof resultRecordSchema>;

export const observationSchema = z.looseObject({
  type: z.literal('observation'),
  ...eventBase,
  tool: z.enum(['text_search', 'image_search']),
  results: z.array(resultRecordSchema),
  /** A tool failure, shown to the model as peers do; the run goes on. */
  error: z.string().optional(),
  /** What went wrong for some results without failing the search (a page that could not be read). */
  notes: z.array(z.string()).optional(),
  cached: z.boolean().optional(),
  /**
   * The address the service searched, for one that takes image URLs (Google Lens): the
   * image's own URL or where it was uploaded, without credentials.
   */
  searchedUrl: z.string().optional(),
  ms: z.number(),
});

export const noticeSchema = z.looseObject({
  type: z.literal('notice'),
  ...eventBase,
  message: z.string(),
});

export const finalSchema = z.looseObject({
  type: z.literal('final'),
  ...eventBase,
  answer: z.string().nullable(),
  stopReason: z.enum(STOP_REASONS),
  error: z.string().optional(),
  score: z.looseObject({ exactMatch: z.number(), f1: z.number() }).optional(),
  turns: z.number().int().min(0),
  ms: z.number(),
});

/**
 * One human correction. Each points at the original event it corrects (by id); the
 * corrected trajectory is the original with its annotations applied in order (see
 * annotations.ts), and the original stays as it was recorded.
 */
export const editSchema = z.discriminatedUnion('op', [
  /** A gaze box moved, resized or redrawn: the action event's box, in original-image pixels. */
  z.looseObject({ op: z.literal('set_box'), target: z.string(), box: boxSchema }),
  /** A reflection's text, a text search's query, or the answer. */
  z.looseObject({ op: z.literal('set_text'), target: z.string(), text: z.string() }),
  /** A step left out of the corrected trajectory (and of training data), or put back. */
  z.looseObject({ op: z.literal('drop_step'), target: z.number().int().positive() }),
  z.looseObject({ op: z.literal('restore_step'), target: z.number().int().positive() }),
  /** A reflection the model should have written, at the start of a step (after the evidence before it). */
  z.looseObject({ op: z.literal('insert_reflection'), target: z.number().int().positive(), kind: z.enum(['think', 'reflect', 'reason']), text: z.string() }),
  /**
   * The verdict on the whole trajectory. `adjudicated`: an adjudicator's verdict, which settles
   * what the annotators' verdicts say (annotations.ts teamVerdict).
   */
  z.looseObject({
    op: z.literal('label'),
    label: z.enum(LABELS),
    note: z.string().optional(),
    tags: z.array(z.string()).optional(),
    adjudicated: z.boolean().optional(),
  }),
  /** Takes back an earlier annotation (how an undo after a save is written down). */
  z.looseObject({ op: z.literal('revert'), target: z.string() }),
]);
export type Edit = z.infer<typeof editSchema>;

/** A human correction, added after the original events, never written over them. */
export const annotationSchema = z.looseObject({
  type: z.literal('annotation'),
  ...eventBase,
  author: z.string().optional(),
  edit: editSchema,
});

export const eventSchema = z.discriminatedUnion('type', [
  modelTurnSchema,
  reflectionSchema,
  actionSchema,
  observationSchema,
  noticeSchema,
  finalSchema,
  annotationSchema,
]);

export type TrajectoryEvent = z.infer<typeof eventSchema>;
export type ModelTurnEvent = z.infer<typeof modelTurnSchema>;
export type ReflectionEvent = z.infer<typeof reflectionSchema>;
export type ActionEvent = z.infer<typeof actionSchema>;
export type ObservationEvent = z.infer<typeof observationSchema>;
export type NoticeEvent = z.infer<typeof noticeSchema>;
export type FinalEvent = z.infer<typeof finalSchema>;
export type AnnotationEvent = z.infer<typeof annotationSchema>;

/** A recorded event before the recorder stamps its time. */
export type NewEvent = DistributiveOmit<TrajectoryEvent, 't'>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** Short, human description of a zod failure: the first issue with its path. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
