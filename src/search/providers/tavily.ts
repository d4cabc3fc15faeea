// Web search with Tavily (POST /search, key as Authorization: Bearer): results from
// `results` (title, url, content as snippet, score). Tavily gives no per-result image, so
// its hits carry no thumbnail. Errors are {"detail":{"error":"…"}}; 432 and 433 are the
// plan's and pay-as-you-go limits (quota: not retried); 429 comes with retry-after.
import type { SearchOptions } from '../../core/ports';
import type { TextProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import { requestJson, type Caller, type ServiceErrors } from './http';
import { at, httpUrl, list, num, obj, str } from './json';

const ID = 'tavily';
const LABEL = 'Tavily';
/** Tavily's documented maximum `max_results`. */
const MAX_RESULTS = 20;

const TAVILY_ERRORS: ServiceErrors = {
  // `detail.error` from the API; a bare `detail` string or the keyless mode's `error.message` otherwise.
  message: (body) => str(at(body, 'detail', 'error')) ?? str(body.detail) ?? str(at(body, 'error', 'message')),
  kind: (status) => (status === 432 || status === 433 ? 'quota' : undefined),
};

function result(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.url);
  if (!o || !url) return undefined;
  return { title: str(o.title) ?? '', url, snippet: str(o.content) ?? '', score: num(o.score) };
}

export const tavily: TextProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'tavily',
  create(ctx) {
    const access = ctx.access('tavily');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: TAVILY_ERRORS };
    return {
      id: providerId(ID, access),
      async search(query: string, options: SearchOptions) {
        const body = await requestJson(caller, {
          method: 'POST',
          path: '/search',
          headers: access.key ? { authorization: `Bearer ${access.key}` } : {},
          json: { query, max_results: Math.min(MAX_RESULTS, Math.max(1, options.topK)), search_depth: 'basic' },
          signal: options.signal,
        });
        const drafts = withUrl(list(body.results).map(result));
        const results = await finishHits(drafts, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
