// Recorded searches: what the searches of a trajectory found, served again by `gog replay`
// beside its model turns, and a provider (`recorded`) that asks for them, so a run, model
// and search both, can be executed again exactly and offline. A text search is matched by
// its query, an image search by the SHA-256 of the image searched (the crop of a gaze, the
// sent image of a glance: both come out byte for byte the same when the run is repeated);
// repeated requests get the recorded answers in order. A search that failed is served as
// the same failure. Thumbnails come from the run folder, only those inside it (runAssets.ts).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';
import type { EncodedImage, ImageSearch, SearchHit, SearchOutcome, TextSearch } from '../core/ports';
import type { LoadedTrajectory } from '../core/trajectoryFile';
import { RunAssets } from '../data/runAssets';
import { ProviderError, type HttpPolicy } from './kit';
import { boundedFetch } from '../net/boundedFetch';
import { parseJson } from '../core/json';
import { sharpLib } from '../vision/sharpLib';

export const RECORDED_PROVIDER = 'recorded';
const TEXT_ROUTE = '/gog/search/text';
const IMAGE_ROUTE = '/gog/search/image';

const wireHitSchema = z.object({
  rank: z.number().int().positive(),
  title: z.string(),
  url: z.string(),
  snippet: z.string(),
  summary: z.string().optional(),
  provider: z.string(),
  score: z.number().optional(),
  source: z.string().optional(),
  /** The thumbnail as base64 JPEG. */
  thumbnail: z.object({ data: z.string(), width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
  pageText: z.string().optional(),
});
type WireHit = z.infer<typeof wireHitSchema>;
const wireAnswerSchema = z.union([z.object({ results: z.array(wireHitSchema) }), z.object({ error: z.string() })]);
type WireAnswer = z.infer<typeof wireAnswerSchema>;

interface RecordedSearch {
  tool: 'text' | 'image';
  /** The query (text) or the image's SHA-256 (image). */
  match: string;
  answer: WireAnswer;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The searches of a trajectory, with their results as they were recorded; `dir` holds its files. */
export async function recordedSearchesOf(t: LoadedTrajectory): Promise<RecordedSearch[]> {
  const assets = new RunAssets(path.dirname(t.path));
  const out: RecordedSearch[] = [];
  const image = async (rel: string | undefined): Promise<Buffer | undefined> => {
    if (!rel) return undefined;
    const check = await assets.check(rel);
    return check.ok ? assets.read(check) : undefined;
  };
  for (let i = 0; i < t.events.length; i++) {
    const action = t.events[i]!;
    if (action.type !== 'action' || (action.action.kind !== 'text_search' && action.action.kind !== 'image_search')) continue;
    const observation = t.events.slice(i + 1).find((e) => e.type === 'observation' && e.step === action.step);
    if (observation?.type !== 'observation') continue;
    let match: string | undefined;
    if (action.action.kind === 'text_search') match = action.action.query;
    else {
      const searched = action.action.scope === 'region' ? action.action.crop : (t.header?.image.sent.path ?? undefined);
      const bytes = await image(searched);
      if (bytes) match = sha256(bytes);
    }
    if (match === undefined) continue;
    let answer: WireAnswer;
    if (observation.error) answer = { error: observation.error };
    else {
      const results: WireHit[] = [];
      for (const r of observation.results) {
        const { thumbnail: thumbRel, page: _page, ...fields } = r;
        const hit: WireHit = {
          rank: fields.rank,
          title: fields.title,
          url: fields.url,
          snippet: fields.snippet,
          provider: fields.provider,
          ...(fields.summary !== undefined ? { summary: fields.summary } : {}),
          ...(fields.score !== undefined ? { score: fields.score } : {}),
          ...(fields.source !== undefined ? { source: fields.source } : {}),
        };
        const thumb = await image(thumbRel);
        if (thumb) {
          const meta = await sharpLib()(thumb).metadata();
          if (meta.width && meta.height) hit.thumbnail = { data: thumb.toString('base64'), width: meta.width, height: meta.height };
        }
        results.push(hit);
      }
      answer = { results };
    }
    out.push({ tool: action.action.kind === 'text_search' ? 'text' : 'image', match, answer });
  }
  return out;
}

/** The replay server's extra routes for these searches (see ReplayOptions.routes). */
export function recordedSearchRoutes(searches: readonly RecordedSearch[]) {
  const served = new Map<string, number>();
  const requestSchema = z.object({ query: z.string().optional(), image: z.string().optional(), topK: z.number().int().positive().max(100) });
  return async (method: string, route: string, body: Buffer): Promise<{ status: number; body: unknown } | undefined> => {
    if (method !== 'POST' || (route !== TEXT_ROUTE && route !== IMAGE_ROUTE)) return undefined;
    let request: z.infer<typeof requestSchema>;
    try {
      request = requestSchema.parse(parseJson(body.toString('utf8')));
    } catch {
      return { status: 400, body: { error: 'the request must be JSON {query | image (base64), topK}' } };
    }
    const tool = route === TEXT_ROUTE ? 'text' : 'image';
    const match = tool === 'text' ? request.query : request.image !== undefined ? sha256(Buffer.from(request.image, 'base64')) : undefined;
    if (match === undefined) return { status: 400, body: { error: tool === 'text' ? 'a text search needs a query' : 'an image search needs an image' } };
    const candidates = searches.filter((s) => s.tool === tool && s.match === match);
    if (!candidates.length) return { status: 404, body: { error: `no recorded ${tool} search matches this ${tool === 'text' ? 'query' : 'image'}` } };
    // The same request again gets the next recorded answer, then the last one.
    const key = `${tool}\n${match}`;
    const n = served.get(key) ?? 0;
    served.set(key, n + 1);
    const answer = candidates[Math.min(n, candidates.length - 1)]!.answer;
    if ('error' in answer) return { status: 502, body: answer };
    return { status: 200, body: { results: answer.results.slice(0, request.topK) } };
  };
}

function toHit(w: WireHit): SearchHit {
  const { thumbnail, ...rest } = w;
  const hit: SearchHit = { ...rest };
  if (thumbnail) hit.thumbnail = { data: Buffer.from(thumbnail.data, 'base64'), width: thumbnail.width, height: thumbnail.height, mime: 'image/jpeg' };
  return hit;
}

/** The `recorded` provider: asks the replay server at `baseUrl` (its origin) for recorded searches. */
export function recordedSearch(baseUrl: string, policy: HttpPolicy): { image: ImageSearch; text: TextSearch } {
  const ask = async (route: string, request: object, signal: AbortSignal): Promise<SearchOutcome> => {
    const res = await boundedFetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      timeoutMs: policy.timeoutMs,
      maxBytes: 64 * 1024 * 1024,
      signal,
    }).catch((e: unknown) => {
      throw new ProviderError('recorded searches', `${(e as Error).message}; is gog replay running at ${baseUrl}?`);
    });
    let answer: WireAnswer;
    try {
      answer = wireAnswerSchema.parse(parseJson(res.body.toString('utf8')));
    } catch {
      throw new ProviderError('recorded searches', `${baseUrl} answered ${res.status} with something that is not a recorded search; is it gog replay?`);
    }
    // The recorded failure itself, word for word: the re-run records the same tool error.
    if ('error' in answer) throw new Error(answer.error);
    return { results: answer.results.map(toHit), cached: false };
  };
  const id = `${RECORDED_PROVIDER}@${baseUrl}`;
  return {
    image: { id, search: (image: EncodedImage, o) => ask(IMAGE_ROUTE, { image: image.data.toString('base64'), topK: o.topK }, o.signal) },
    text: { id, search: (query, o) => ask(TEXT_ROUTE, { query, topK: o.topK }, o.signal) },
  };
}
