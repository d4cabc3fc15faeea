// What SerpApi's engines share: the key travels as the `api_key` query parameter (the only
// way SerpApi takes it, so http.ts redacts it from everything it prints), errors come as
// {"error": "…"}, "out of searches" is a 429 that waiting cannot fix, and an empty result
// set is an HTTP 200 whose `error` says so (search_metadata.status "Success").
import type { Caller, ServiceErrors } from './http';
import { providerError, requestJson } from './http';
import { at, list, str, type JsonObject } from './json';

export const SERPAPI_ERRORS: ServiceErrors = {
  message: (body) => str(body.error),
  kind: (status, _body, message) => (status === 429 && message && /out of searches/i.test(message) ? 'quota' : undefined),
};

/** GET /search.json with the engine's parameters and the key. */
export function serpapiSearch(caller: Caller, query: Record<string, string>, signal: AbortSignal): Promise<JsonObject> {
  return requestJson(caller, { method: 'GET', path: '/search.json', query: { ...query, api_key: caller.access.key }, signal });
}

/**
 * The items under `field`. None is zero results, also when a top-level `error` says Google
 * returned nothing ("Google Lens hasn't returned any results for this query."); only a
 * search whose metadata says "Error" is a failure.
 */
export function serpapiItems(caller: Caller, body: JsonObject, field: string): unknown[] {
  const items = list(body[field]);
  if (items.length) return items;
  const error = str(body.error);
  if (error && str(at(body, 'search_metadata', 'status')) === 'Error') throw providerError(caller, `answered with an error: ${error}`);
  return [];
}
