// The one message protocol between the extension and the trajectory webview, imported by
// both bundles. The webview says `ready` before the host posts anything; requests carry an
// id and get exactly one response. Both sides validate what they receive.
import { z } from 'zod';
import { eventSchema, headerSchema } from '../core/trajectory';

const problemSchema = z.object({ line: z.number().int(), message: z.string() });

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
  }),
  z.object({
    type: z.literal('events'),
    events: z.array(eventSchema),
    complete: z.boolean(),
    assets: z.record(z.string(), z.string()).optional(),
    refused: z.record(z.string(), z.string()).optional(),
  }),
  /** Model text as it streams in, before the turn is recorded. */
  z.object({ type: z.literal('delta'), step: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('status'), running: z.boolean(), message: z.string().optional() }),
  z.object({ type: z.literal('response'), requestId: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** Webview → host. */
export const viewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('request'),
    requestId: z.number().int(),
    request: z.discriminatedUnion('method', [
      /** Opens an evidence link in the browser; the host accepts http(s) only. */
      z.object({ method: z.literal('openExternal'), url: z.string().max(8192) }),
      /** Stops the live run. */
      z.object({ method: z.literal('cancel') }),
    ]),
  }),
]);
export type ViewMessage = z.infer<typeof viewMessageSchema>;
export type ViewRequest = Extract<ViewMessage, { type: 'request' }>['request'];

/** What the webview keeps across reloads (vscode.setState), and the host reads to revive a panel. */
export const viewStateSchema = z.object({
  /** The trajectory file shown, so a revived panel can load it again. */
  trajectory: z.string().optional(),
  selectedStep: z.number().int().optional(),
  hideBoxes: z.boolean().optional(),
  zoom: z.number().optional(),
  scrollTop: z.number().optional(),
});
export type ViewState = z.infer<typeof viewStateSchema>;

/** http(s) URLs only: what an evidence link may open. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
