// The one message protocol between the extension and the trajectory webview, imported by
// both bundles. The webview says `ready` before the host posts anything; requests carry an
// id and get exactly one response, whose result has the shape `responseSchemas` gives its
// method. Both sides validate what they receive.
import { z } from 'zod';
import { annotationSchema, editSchema, eventSchema, headerSchema, LABELS } from '../core/trajectory';

const problemSchema = z.object({ line: z.number().int(), message: z.string() });

/**
 * An editable trajectory's annotations that are not on disk yet (the net change a save
 * would append), and a version that grows with every change, so a view can tell which of
 * two states is newer.
 */
export const pendingSchema = z.object({ version: z.number().int().min(0), annotations: z.array(annotationSchema) });
export type Pending = z.infer<typeof pendingSchema>;

/** The id a view gives a new annotation, so it can show the edit before the host answers. */
export const ANNOTATION_ID = /^u[0-9a-f]{16}$/;

/** A label scheme as the editor is sent it (src/core/labelSchemeRules.ts LabelScheme). */
const schemeKey = z.string().regex(/^[a-z0-9]$/);
export const labelSchemeValueSchema = z.object({
  verdicts: z
    .array(z.object({ label: z.enum(LABELS), key: schemeKey.optional(), name: z.string().max(80).optional(), needsReason: z.boolean().optional() }))
    .min(1)
    .max(LABELS.length),
  categories: z
    .array(z.object({ id: z.string().min(1).max(40), name: z.string().max(80).optional(), key: schemeKey.optional(), needsReason: z.boolean().optional() }))
    .max(100),
  source: z.string().optional(),
});

/** Host → webview. */
export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    /** What the panel shows: a file name or "live run". */
    title: z.string(),
    /** The trajectory file, kept in the webview's state so a reloaded window can show it again. */
    source: z.string().optional(),
    header: headerSchema.nullable(),
    events: z.array(eventSchema),
    problems: z.array(problemSchema),
    /** The record's images that may be shown: run-folder path → URL (checked by the host; others are not shown). */
    assets: z.record(z.string(), z.string()),
    /** Images the record names that the host refused to show, and why (a link out of the run folder, say). */
    refused: z.record(z.string(), z.string()).optional(),
    /** A run under way: shows its state and a Cancel button. */
    live: z.boolean(),
    /** False while more events of a large file are still to come. */
    complete: z.boolean(),
    /** An editor: the view offers editing and labelling, and shows what is not saved yet. */
    editable: z.boolean().optional(),
    pending: pendingSchema.optional(),
    /** An editor: the annotator its unsaved annotations will be saved as (their own earlier verdict is not someone else's). */
    annotator: z.string().optional(),
    /** An editor: the project's label scheme (.gog/labels.json, or the default); the bar offers its verdicts, keys and categories. */
    scheme: labelSchemeValueSchema.optional(),
    /** The scheme file could not be used (one line naming it and what is wrong): the default scheme is sent. */
    schemeWarning: z.string().max(4000).optional(),
    /** Blind review is on: how many of others' annotations were not sent (none once the annotator has given a verdict). */
    blind: z.object({ hidden: z.number().int().min(0), revealed: z.boolean() }).optional(),
  }),
  z.object({
    type: z.literal('events'),
    events: z.array(eventSchema),
    complete: z.boolean(),
    assets: z.record(z.string(), z.string()).optional(),
    refused: z.record(z.string(), z.string()).optional(),
    /** What is still pending once these events are in (annotations just saved come as events with this). */
    pending: pendingSchema.optional(),
  }),
  /** The pending annotations changed: an edit, an undo or redo, a revert. */
  z.object({ type: z.literal('pending'), ...pendingSchema.shape }),
  /** Where this trajectory stands in the review queue it was opened from. */
  z.object({
    type: z.literal('queue'),
    /** 1-based place among the trajectories the queue shows, if it is one of them. */
    position: z.number().int().positive().optional(),
    shown: z.number().int().min(0),
    total: z.number().int().min(0),
    reviewed: z.number().int().min(0),
  }),
  /** Model text as it streams in, before the turn is recorded. */
  z.object({ type: z.literal('delta'), step: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('status'), running: z.boolean(), message: z.string().optional() }),
  /** The answer to a request: `result` has the shape `responseSchemas[method]` gives. */
  z.object({ type: z.literal('response'), requestId: z.number().int(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** Webview → host: what a view may ask. */
export const viewRequestSchema = z.discriminatedUnion('method', [
  /** Opens an evidence link in the browser; the host accepts http(s) only. */
  z.object({ method: z.literal('openExternal'), url: z.string().max(8192) }),
  /** Stops the live run. */
  z.object({ method: z.literal('cancel') }),
  /** One edit of an editable trajectory, under the id the view gave it (ANNOTATION_ID). */
  z.object({ method: z.literal('edit'), id: z.string().regex(ANNOTATION_ID), edit: editSchema }),
  /** The run this one branched from, and the branches beside it. */
  z.object({ method: z.literal('related') }),
  /** Opens one of the trajectories `related` listed (relative to this one's folder). */
  z.object({ method: z.literal('openTrajectory'), file: z.string().min(1).max(4096) }),
  /**
   * Keeps a branch over its parent: the branch labelled accepted, the parent rejected. `file`
   * is one of the branches `related` listed (this is the parent), or the parent (this is the branch).
   */
  z.object({ method: z.literal('keepBranch'), file: z.string().min(1).max(4096) }),
  /** VS Code's Undo or Redo on this editor (the `u` and `U` keys). */
  z.object({ method: z.literal('history'), action: z.enum(['undo', 'redo']) }),
  /** Runs the agent again from a step of this trajectory (the command gog.rerunFromStep). */
  z.object({ method: z.literal('rerunFromStep'), step: z.number().int().positive() }),
  /** Opens the next or previous trajectory of the review queue. */
  z.object({ method: z.literal('queue'), move: z.enum(['next', 'previous']) }),
]);
export type ViewRequest = z.infer<typeof viewRequestSchema>;
export type RequestMethod = ViewRequest['method'];

const relatedTrajectorySchema = z.object({
  /** Relative to the folder of the trajectory shown. */
  file: z.string(),
  /** What to call it: its question, or why it cannot be read. */
  label: z.string(),
  /** The step it branched at. */
  step: z.number().int().positive().optional(),
  answer: z.string().nullable().optional(),
  /** The file the header names is not there. */
  missing: z.boolean().optional(),
});
export type RelatedTrajectory = z.infer<typeof relatedTrajectorySchema>;

/** What each request's response carries. */
export const responseSchemas = {
  openExternal: z.null(),
  cancel: z.null(),
  edit: z.object({ annotation: annotationSchema, version: z.number().int().min(0) }),
  related: z.object({ parent: relatedTrajectorySchema.optional(), branches: z.array(relatedTrajectorySchema) }),
  openTrajectory: z.null(),
  /** The files labelled (relative to this trajectory's folder; "" is this one). */
  keepBranch: z.object({ accepted: z.string(), rejected: z.string() }),
  history: z.null(),
  rerunFromStep: z.null(),
  /** The trajectory opened, or null at the end of the queue. */
  queue: z.object({ opened: z.string().nullable() }),
} satisfies { [M in RequestMethod]: z.ZodType };
export type ResponseOf<M extends RequestMethod> = z.infer<(typeof responseSchemas)[M]>;

export const viewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('request'), requestId: z.number().int(), request: viewRequestSchema }),
]);
export type ViewMessage = z.infer<typeof viewMessageSchema>;

/** What the webview keeps across reloads (vscode.setState), and the host reads to revive a panel. */
export const viewStateSchema = z.object({
  /** The trajectory file shown, so a revived panel can load it again. */
  trajectory: z.string().optional(),
  selectedStep: z.number().int().optional(),
  hideBoxes: z.boolean().optional(),
  zoom: z.number().optional(),
  scrollTop: z.number().optional(),
  /** Shows the trajectory as recorded, not as corrected. */
  original: z.boolean().optional(),
});
export type ViewState = z.infer<typeof viewStateSchema>;

export { isWebUrl } from './webUrl';
