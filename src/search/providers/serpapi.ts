// Web search with Google through SerpApi (engine=google): results from `organic_results`
// (title, link, snippet, source, thumbnail). Google serves at most 10 organic results a
// page now (it dropped `num` above 10), so topK beyond that gets 10.
import type { SearchOptions } from '../../core/ports';
import type { TextProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import type { Caller } from './http';
import { httpUrl, obj, str } from './json';
import { SERPAPI_ERRORS, serpapiItems, serpapiSearch } from './serpapiCommon';

const ID = 'serpapi';
const LABEL = 'SerpApi Google';

function organic(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.link);
  if (!o || !url) return undefined;
  return { title: str(o.title) ?? '', url, snippet: str(o.snippet) ?? '', source: str(o.source), thumbnailUrl: httpUrl(o.thumbnail) };
}

export const serpapi: TextProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'serpapi',
  create(ctx) {
    const access = ctx.access('serpapi');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: SERPAPI_ERRORS };
    return {
      id: providerId(ID, access),
      async search(query: string, options: SearchOptions) {
        const body = await serpapiSearch(caller, { engine: 'google', q: query }, options.signal);
        const drafts = withUrl(serpapiItems(caller, body, 'organic_results').map(organic));
        const results = await finishHits(drafts, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
