// Reverse image search with Google Lens through SerpApi (engine=google_lens). Lens takes
// an image URL only, so the image (the whole picture or a gaze crop) is first uploaded
// through the configured uploader. Results come from `visual_matches` (title, link,
// source, thumbnail; price, rating and stock for products, folded into the snippet); with
// exact matches asked for, a second request with type=exact_matches runs alongside and its
// `exact_matches` are interleaved with the visual matches, so topK keeps both kinds.
import type { EncodedImage, SearchOptions } from '../../core/ports';
import { ProviderError, type ImageProviderDef, type ProviderContext, serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import { providerError, type Caller } from './http';
import { at, httpUrl, num, obj, str } from './json';
import { SERPAPI_ERRORS, serpapiItems, serpapiSearch } from './serpapiCommon';
import { recordableUrl } from '../upload/recordableUrl';

const ID = 'serpapi-lens';
const LABEL = 'SerpApi Google Lens';

type LensType = 'visual_matches' | 'exact_matches';

function visualMatch(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.link);
  if (!o || !url) return undefined;
  const source = str(o.source);
  const parts = [source ? `Visual match on ${source}` : 'Visual match'];
  const price = str(at(o, 'price', 'value'));
  if (price) parts.push(price);
  const rating = num(o.rating);
  const reviews = num(o.reviews);
  if (rating !== undefined) parts.push(`rated ${rating}${reviews !== undefined ? ` (${reviews} reviews)` : ''}`);
  if (typeof o.in_stock === 'boolean') parts.push(o.in_stock ? 'in stock' : 'out of stock');
  return { title: str(o.title) ?? '', url, snippet: parts.join(' · '), source, thumbnailUrl: httpUrl(o.thumbnail) ?? httpUrl(o.image) };
}

function exactMatch(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.link);
  if (!o || !url) return undefined;
  const source = str(o.source);
  const parts = [source ? `Exact match of the image on ${source}` : 'Exact match of the image'];
  const date = str(o.date);
  if (date) parts.push(date);
  const w = num(o.actual_image_width);
  const h = num(o.actual_image_height);
  if (w && h) parts.push(`${w}×${h} px there`);
  return { title: str(o.title) ?? '', url, snippet: parts.join(' · '), source, thumbnailUrl: httpUrl(o.thumbnail) };
}

/** a1, b1, a2, b2, …: each list keeps its order, neither crowds the other out. */
function interleave<T>(lists: readonly T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

async function upload(caller: Caller, ctx: ProviderContext, image: EncodedImage, signal: AbortSignal): Promise<string> {
  const uploader = ctx.uploader;
  if (!uploader) throw new ProviderError(LABEL, 'takes image URLs only and no uploader is configured to put the image online', true);
  try {
    return await uploader.upload(image, signal);
  } catch (e) {
    signal.throwIfAborted();
    const said = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw providerError(caller, `could not upload the image through ${uploader.id}: ${said}`);
  }
}

export const serpapiLens: ImageProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'serpapi',
  needsUploader: true,
  create(ctx) {
    const access = ctx.access('serpapi');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: SERPAPI_ERRORS };
    const id = providerId(ID, access);
    const lens = async (imageUrl: string, type: LensType, signal: AbortSignal): Promise<HitDraft[]> => {
      const body = await serpapiSearch(caller, { engine: 'google_lens', url: imageUrl, type }, signal);
      return withUrl(serpapiItems(caller, body, type).map(type === 'visual_matches' ? visualMatch : exactMatch));
    };
    return {
      id,
      async search(image: EncodedImage, options: SearchOptions) {
        // The image's own URL when it has one (MMSearch-R1's rollout searches its image_urls), else a copy put online.
        const imageUrl = options.imageUrl ?? (await upload(caller, ctx, image, options.signal));
        const types: LensType[] = ctx.lensExactMatches ? ['exact_matches', 'visual_matches'] : ['visual_matches'];
        const lists = await Promise.all(types.map((t) => lens(imageUrl, t, options.signal)));
        const results = await finishHits(interleave(lists), { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false, searchedUrl: recordableUrl(imageUrl) };
      },
    };
  },
};
