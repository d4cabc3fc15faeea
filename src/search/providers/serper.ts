// Web search with Google through Serper (POST /search, key in X-API-KEY): Google's
// knowledge panel first when it links somewhere (`knowledgeGraph`: title, description,
// its source and link, imageUrl as thumbnail: the entity, often what an image question
// needs), then `organic` (title, link, snippet). Serper publishes no reference: the shapes
// are the ones others observed (see the fixture).
// A bad key is a 403 "Unauthorized."; spent credits come as 400 or 429 "Not enough credits".
import type { SearchOptions } from '../../core/ports';
import type { TextProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import { requestJson, type Caller, type ServiceErrors } from './http';
import { httpUrl, list, obj, str } from './json';

const ID = 'serper';
const LABEL = 'Serper';

const SERPER_ERRORS: ServiceErrors = {
  message: (body) => str(body.message),
  kind: (status, _body, message) => ((status === 400 || status === 429) && message && /credits/i.test(message) ? 'quota' : undefined),
};

function knowledgeGraph(value: unknown): HitDraft | undefined {
  const o = obj(value);
  const url = httpUrl(o?.descriptionLink) ?? httpUrl(o?.website);
  if (!o || !url) return undefined;
  const type = str(o.type);
  const description = str(o.description) ?? '';
  return {
    title: str(o.title) ?? '',
    url,
    snippet: type ? `${type}. ${description}` : description,
    source: str(o.descriptionSource),
    thumbnailUrl: httpUrl(o.imageUrl),
  };
}

function organic(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.link);
  if (!o || !url) return undefined;
  return { title: str(o.title) ?? '', url, snippet: str(o.snippet) ?? '' };
}

export const serper: TextProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'serper',
  create(ctx) {
    const access = ctx.access('serper');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: SERPER_ERRORS };
    return {
      id: providerId(ID, access),
      async search(query: string, options: SearchOptions) {
        const body = await requestJson(caller, {
          method: 'POST',
          path: '/search',
          headers: access.key ? { 'x-api-key': access.key } : {},
          // 10 is Serper's default; more is asked for only when wanted (it may cost more credits).
          json: { q: query, ...(options.topK > 10 ? { num: options.topK } : {}) },
          signal: options.signal,
        });
        const drafts = withUrl([knowledgeGraph(body.knowledgeGraph), ...list(body.organic).map(organic)]);
        const results = await finishHits(drafts, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
