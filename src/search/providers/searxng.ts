// Web search with a SearXNG instance (GET /search?format=json; self-hosted, so no default
// URL and no key): results from `results` (title, url, content as snippet, score;
// `thumbnail`, else `img_src`, as thumbnail). An instance whose JSON API is off answers 403
// with an HTML page: the error says how to turn it on. When nothing was found because
// every engine failed, the failures (`unresponsive_engines`) are the error.
import type { SearchOptions } from '../../core/ports';
import type { TextProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import { providerError, requestJson, type Caller, type ServiceErrors } from './http';
import { httpUrl, list, num, obj, str } from './json';

const ID = 'searxng';
const LABEL = 'SearXNG';

const SEARXNG_ERRORS: ServiceErrors = {
  message: (body) => str(body.error),
  explain: (status, body) =>
    status === 403 && !body
      ? 'refused the JSON API (403): the instance serves JSON only when its settings.yml lists it (search: formats: [html, json])'
      : undefined,
};

function result(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.url);
  if (!o || !url) return undefined;
  return {
    title: str(o.title) ?? '',
    url,
    snippet: str(o.content) ?? '',
    score: num(o.score),
    thumbnailUrl: httpUrl(o.thumbnail) ?? httpUrl(o.img_src) ?? httpUrl(o.thumbnail_src),
  };
}

/** `[["brave", "timeout"], …]` as "brave (timeout), …". */
function failedEngines(value: unknown): string {
  return list(value)
    .map((pair) => list(pair).map(str).filter(Boolean))
    .filter((p) => p.length > 0)
    .map(([engine, why]) => (why ? `${engine} (${why})` : engine))
    .join(', ');
}

export const searxng: TextProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'searxng',
  create(ctx) {
    const access = ctx.access('searxng');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: SEARXNG_ERRORS };
    return {
      id: providerId(ID, access),
      async search(query: string, options: SearchOptions) {
        const body = await requestJson(caller, { method: 'GET', path: '/search', query: { q: query, format: 'json' }, signal: options.signal });
        const drafts = withUrl(list(body.results).map(result));
        const failed = failedEngines(body.unresponsive_engines);
        if (!drafts.length && failed) throw providerError(caller, `found nothing; its engines failed: ${failed}`);
        const results = await finishHits(drafts, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
