// From what a provider read off the wire to the SearchHits it returns: each URL once, at
// most topK, ranked 1…n, text made plain, thumbnails downloaded (in parallel, by the host, re-encoded;
// a failed one is simply absent), and the key redacted from every field, however the
// service echoed it.
import type { SearchHit } from '../../core/ports';
import { redact } from '../../core/redact';
import type { ProviderContext, ServiceAccess } from '../kit';
import { shownBaseUrl } from './http';

/** A result as read from a service, before ranking and thumbnails. */
export interface HitDraft {
  title: string;
  url: string;
  snippet: string;
  source?: string;
  score?: number;
  /** A remote image to download as the result's thumbnail. */
  thumbnailUrl?: string;
}

/** Snippets are evidence for the model, not pages: longer ones are cut here. */
const SNIPPET_MAX = 2000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text as a person reads it: markup removed (Vision's page titles, Brave's highlights), entities decoded, one line. */
export function plain(text: string | undefined): string {
  if (!text) return '';
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** The provider's id; a base URL the user chose is part of it, so cache keys and records change with it. */
export function providerId(id: string, access: ServiceAccess): string {
  return access.overridden ? `${id}@${shownBaseUrl(access.baseUrl)}` : id;
}

/** Drafts without a URL are not results: nothing could be cited or read. */
export function withUrl(drafts: readonly (HitDraft | undefined)[]): HitDraft[] {
  return drafts.filter((d): d is HitDraft => !!d?.url);
}

export async function finishHits(
  drafts: readonly HitDraft[],
  o: { provider: string; topK: number; ctx: ProviderContext; secrets: readonly string[]; signal: AbortSignal },
): Promise<SearchHit[]> {
  const seen = new Set<string>();
  // The same page twice says nothing new and takes a place another result could have.
  const kept = drafts.filter((d) => !seen.has(d.url) && seen.add(d.url)).slice(0, Math.max(0, o.topK));
  const thumbnails = await o.ctx.thumbnails.fetchAll(
    kept.map((d) => d.thumbnailUrl),
    o.signal,
  );
  o.signal.throwIfAborted();
  const clean = (s: string) => redact(s, o.secrets);
  return kept.map((d, i) => {
    const snippet = plain(d.snippet);
    const hit: SearchHit = {
      rank: i + 1,
      title: clean(plain(d.title) || hostOf(d.url)),
      url: clean(d.url),
      snippet: clean(snippet.length > SNIPPET_MAX ? `${snippet.slice(0, SNIPPET_MAX)}…` : snippet),
      provider: o.provider,
    };
    const source = plain(d.source);
    if (source) hit.source = clean(source);
    if (d.score !== undefined) hit.score = Math.round(d.score * 1000) / 1000;
    const thumbnail = thumbnails[i];
    if (thumbnail) hit.thumbnail = thumbnail;
    return hit;
  });
}
