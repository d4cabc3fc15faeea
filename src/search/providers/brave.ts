// Web search with Brave Search (GET /res/v1/web/search, key in X-Subscription-Token):
// results from `web.results` (title, url, description; the site's `profile.name`, else
// `meta_url.hostname`, as source; `thumbnail.src`). A reply without `web` is zero results.
// Brave's errors are {"type":"ErrorResponse","error":{code,status,detail,meta}}: a bad key
// is a 422 SUBSCRIPTION_TOKEN_INVALID (a missing one a 422 VALIDATION on the header), a
// spent monthly quota a 429 QUOTA_LIMITED that waiting cannot fix.
import type { SearchOptions } from '../../core/ports';
import type { TextProviderDef } from '../kit';
import { serviceSecrets } from '../kit';
import { finishHits, providerId, withUrl, type HitDraft } from './hits';
import { requestJson, type Caller, type FailureKind, type ServiceErrors } from './http';
import { at, httpUrl, list, obj, str, type JsonObject } from './json';

const ID = 'brave';
const LABEL = 'Brave Search';
/** Brave's documented maximum `count` for web results. */
const MAX_COUNT = 20;

/** The error object: `error` in live replies, `errors[0]` in the reference's rendered examples. */
function braveError(body: JsonObject): JsonObject | undefined {
  return obj(body.error) ?? obj(list(body.errors)[0]);
}

function kindOf(error: JsonObject | undefined): FailureKind | undefined {
  const code = str(error?.code);
  switch (code) {
    case 'SUBSCRIPTION_TOKEN_INVALID':
    case 'SUBSCRIPTION_NOT_FOUND':
      return 'bad_key';
    case 'QUOTA_LIMITED':
      return 'quota';
    case 'RATE_LIMITED':
      return 'rate_limited';
    case 'VALIDATION': {
      // A missing key is a validation error on the header, not a 401.
      const onKey = list(at(error, 'meta', 'errors')).some((e) => list(obj(e)?.loc).some((l) => str(l)?.toLowerCase() === 'x-subscription-token'));
      return onKey ? 'bad_key' : undefined;
    }
    default:
      return undefined;
  }
}

const BRAVE_ERRORS: ServiceErrors = {
  message: (body) => {
    const e = braveError(body);
    return str(e?.detail) ?? str(e?.code);
  },
  kind: (_status, body) => (body ? kindOf(braveError(body)) : undefined),
};

function webResult(item: unknown): HitDraft | undefined {
  const o = obj(item);
  const url = httpUrl(o?.url);
  if (!o || !url) return undefined;
  return {
    title: str(o.title) ?? '',
    url,
    snippet: str(o.description) ?? '',
    source: str(at(o, 'profile', 'name')) ?? str(at(o, 'meta_url', 'hostname')),
    thumbnailUrl: httpUrl(at(o, 'thumbnail', 'src')),
  };
}

export const brave: TextProviderDef<typeof ID> = {
  id: ID,
  label: LABEL,
  service: 'brave',
  create(ctx) {
    const access = ctx.access('brave');
    const caller: Caller = { label: LABEL, access, http: ctx.http, errors: BRAVE_ERRORS };
    return {
      id: providerId(ID, access),
      async search(query: string, options: SearchOptions) {
        const body = await requestJson(caller, {
          method: 'GET',
          path: '/res/v1/web/search',
          // Plain descriptions: no highlight markers to strip.
          query: { q: query, count: Math.min(MAX_COUNT, Math.max(1, options.topK)), text_decorations: 'false' },
          headers: access.key ? { 'x-subscription-token': access.key } : {},
          signal: options.signal,
        });
        const drafts = withUrl(list(at(body, 'web', 'results')).map(webResult));
        const results = await finishHits(drafts, { provider: ID, topK: options.topK, ctx, secrets: serviceSecrets(access), signal: options.signal });
        return { results, cached: false };
      },
    };
  },
};
