// Reverse image search with Google Cloud Vision's WEB_DETECTION (POST /v1/images:annotate,
// the image's bytes sent as base64, key in X-Goog-Api-Key). Its answer is lists, not
// ranked pages; they become hits in this order, each URL once:
//   1. pagesWithMatchingImages: the page (url, pageTitle with its markup removed), its
//      first full, else partial, matching image as thumbnail; the snippet says which.
//   2. fullMatchingImages, partialMatchingImages, then visuallySimilarImages: the image's
//      own URL as result and thumbnail, titled by kind and host. Images already shown as a
//      page's thumbnail are left out.
// What Vision says about the whole image, bestGuessLabels and the top webEntities by score,
// is folded into the first hit's snippet: it is the one the model reads first, and it says
// the same for every hit. Vision reports per-image failures inside an HTTP 200
// (responses[0].error, with a gRPC code); those are errors unless matches came with them.
import type { EncodedImage, SearchOptions } from '../../core/ports';
import type { ImageProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, hostOf, plain, providerId, type HitDraft } from './hits';
import { providerError, requestJson, type Caller, type ServiceErrors } from './http';
import { at, httpUrl, list, num, obj, str, type JsonObject } from './json';

const ID = 'google-vision';
const LABEL = 'Google Cloud Vision';
const TOP_ENTITIES = 5;

/** google.rpc.Code names for the codes Vision puts in a per-image error. */
const GRPC_CODES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
};

const VISION_ERRORS: ServiceErrors = {
  message: (body) => str(at(body, 'error', 'message')),
  // A bad key is a 400 INVALID_ARGUMENT whose ErrorInfo reason says so.
  kind: (status, body, message) => {
    const reasons = list(at(body, 'error', 'details')).map((d) => str(obj(d)?.reason));
    return reasons.includes('API_KEY_INVALID') || (status === 400 && message && /API key/i.test(message)) ? 'bad_key' : undefined;
  },
};

function urls(value: unknown): string[] {
  return list(value)
    .map((i) => httpUrl(obj(i)?.url))
    .filter((u): u is string => !!u);
}

const IMAGE_LISTS = [
  ['fullMatchingImages', 'The same image'],
  ['partialMatchingImages', 'Part of this image'],
  ['visuallySimilarImages', 'A visually similar image'],
] as const;

function drafts(detection: JsonObject): HitDraft[] {
  const out: HitDraft[] = [];
  const shown = new Set<string>();
  for (const item of list(detection.pagesWithMatchingImages)) {
    const page = obj(item);
    const url = httpUrl(page?.url);
    if (!page || !url) continue;
    const full = urls(page.fullMatchingImages);
    const partial = urls(page.partialMatchingImages);
    const thumbnailUrl = full[0] ?? partial[0];
    if (thumbnailUrl) shown.add(thumbnailUrl);
    const snippet = full.length ? 'A page that shows this image' : partial.length ? 'A page that shows part of this image' : 'A page with a matching image';
    out.push({ title: plain(str(page.pageTitle)) || hostOf(url), url, snippet, thumbnailUrl });
  }
  for (const [field, words] of IMAGE_LISTS) {
    for (const url of urls(detection[field])) {
      if (shown.has(url)) continue;
      out.push({ title: `${words} on ${hostOf(url)}`, url, snippet: `${words}, found on the web`, thumbnailUrl: url });
    }
  }
  return out;
}

/** "Vision's best guess for the image: …; web entities: …", or nothing. */
function imageGuess(detection: JsonObject): string {
  const labels = list(detection.bestGuessLabels)
    .map((l) => str(obj(l)?.label))
    .filter((l): l is string => !!l);
  const entities = list(detection.webEntities)
    .map((e) => ({ description: str(obj(e)?.description), score: num(obj(e)?.score) ?? 0 }))
    .filter((e): e is { description: string; score: number } => !!e.description)
    .sort((a, b) => b.score - a.score)
    .slice(0, TOP_ENTITIES)
    .map((e) => e.description);
  const parts: string[] = [];
  if (labels.length) parts.push(`Vision's best guess for the image: ${labels.join(', ')}`);
  if (entities.length) parts.push(`web entities: ${entities.join(', ')}`);
  return parts.length ? `${parts.join('; ')}.` : '';
}

export const googleVision: ImageProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'google-vision',
  create(ctx) {
    const access = ctx.access('google-vision');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: VISION_ERRORS };
    return {
      id: providerId(ID, access),
      async search(image: EncodedImage, options: SearchOptions) {
        const body = await requestJson(caller, {
          method: 'POST',
          path: '/v1/images:annotate',
          headers: access.key ? { 'x-goog-api-key': access.key } : {},
          json: {
            requests: [{ image: { content: image.data.toString('base64') }, features: [{ type: 'WEB_DETECTION', maxResults: Math.max(10, options.topK) }] }],
          },
          signal: options.signal,
        });
        const response = obj(list(body.responses)[0]);
        const detection = obj(response?.webDetection) ?? {};
        const found = drafts(detection);
        const error = obj(response?.error);
        if (error && !found.length) {
          const code = num(error.code);
          const name = code === undefined ? 'error' : (GRPC_CODES[code] ?? `code ${code}`);
          throw providerError(caller, `could not search the image (${name}): ${str(error.message) ?? 'no message'}`, code === 3);
        }
        const guess = imageGuess(detection);
        if (found[0] && guess) found[0] = { ...found[0], snippet: `${found[0].snippet}. ${guess}` };
        const results = await finishHits(found, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
