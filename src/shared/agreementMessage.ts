// What the agreement panel is sent: `gog agreement`'s report (src/data/agreement AgreementReport,
// the same figures the command prints; agreementPanel.ts assigns one to the other, so tsc keeps them alike) as a message of the run review protocol (runsMessages.ts).
// Names, categories and paths come from annotators' files: the view shows them as text only.
import { z } from 'zod';
import { LABELS } from '../core/trajectory';

const share = z.number().min(0).max(1);
const kappa = z.number().nullable();
const name = z.string().max(1000);

const pairSchema = z.object({
  a: name,
  b: name,
  items: z.number().int().min(0),
  agreed: z.number().int().min(0),
  observed: share,
  expected: share,
  kappa,
  table: z.array(z.array(z.number().int().min(0))),
});

const overallSchema = z.object({
  method: z.enum(['cohen', 'fleiss']),
  items: z.number().int().min(0),
  unanimous: z.number().int().min(0),
  observed: share,
  expected: share,
  kappa,
});

const iouSchema = z.object({ count: z.number().int().min(0), meanIou: share.nullable() });
const groupIouSchema = iouSchema.extend({ key: name });

/** Conflicts sent at most: the rest are counted, and all of them go into the queue. */
export const MAX_SHOWN_CONFLICTS = 5000;

export const agreementReportSchema = z.object({
  annotators: z.array(name),
  labellers: z.array(name),
  samples: z.number().int().min(0),
  labelled: z.number().int().min(0),
  multiLabelled: z.number().int().min(0),
  unnamedAnnotations: z.number().int().min(0),
  verdicts: z.object({ categories: z.array(z.string()), pairs: z.array(pairSchema), overall: overallSchema.nullable() }),
  categories: z.object({
    basis: z.literal('presence'),
    perCategory: z.array(z.object({ category: name, given: z.number().int().min(0), pairs: z.array(pairSchema), overall: overallSchema.nullable() })),
  }),
  boxes: z.object({ gazes: z.number().int().min(0), overall: iouSchema, pairs: z.array(iouSchema.extend({ a: name, b: name })) }),
  gazeQuality: z.object({
    overall: iouSchema,
    byBenchmark: z.array(groupIouSchema),
    byCategory: z.array(groupIouSchema),
    byCheckpoint: z.array(groupIouSchema),
  }),
  conflicts: z
    .array(z.object({ path: z.string().max(4096), labels: z.record(name, z.enum(LABELS)), adjudicated: z.enum(LABELS).optional() }))
    .max(MAX_SHOWN_CONFLICTS),
});

export const agreementMessageSchema = z.object({
  type: z.literal('agreement'),
  /** The folder or queue file measured, as the user picked it. */
  target: z.string(),
  report: agreementReportSchema,
  /** Conflicts in all (the report lists the first MAX_SHOWN_CONFLICTS). */
  conflictCount: z.number().int().min(0),
  /** What could not be read, one line each (at most a few hundred). */
  notes: z.array(z.string()).max(500),
  /** The verdicts an adjudicator may give (the project's label scheme). */
  verdicts: z.array(z.enum(LABELS)).min(1),
});
export type AgreementMessage = z.infer<typeof agreementMessageSchema>;

/**
 * Gaze quality of a run (its Charts): the mean IoU of the model's gaze box with the annotators'
 * corrections of it, per benchmark and per category, as `gog agreement` counts it. A group
 * without corrections is not listed.
 */
export const gazeQualityMessageSchema = z.object({
  type: z.literal('gazeQuality'),
  byBenchmark: z.array(groupIouSchema),
  byCategory: z.array(groupIouSchema),
});
export type GazeQualityMessage = z.infer<typeof gazeQualityMessageSchema>;
