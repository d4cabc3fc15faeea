// Reads a result's page through Jina Reader: GET <base>/<page URL>, with the key as a
// Bearer token when there is one (without one Jina allows fewer requests a minute). The
// answer is Jina's documented text template (Title, URL Source, optional Published Time
// and Warning lines, then "Markdown Content:"); anything else is taken as the text itself.
import { redactValue } from '../../core/redact';
import { publicEndpoint } from '../../model/endpoint';
import type { HttpPolicy, PageReader, ServiceAccess } from '../kit';
import { ProviderError, serviceSecrets } from '../kit';
import { SERVICE_INFO } from '../services';
import { httpUrl } from './directReader';
import type { PageText } from './htmlText';
import { requestService, statusError } from './request';

export const JINA_LABEL = SERVICE_INFO.jina.label;
const MAX_BYTES = 5 * 1024 * 1024;
const CONTENT_MARKER = 'Markdown Content:';

export function jinaReader(access: ServiceAccess, policy: HttpPolicy): PageReader {
  const keyEnv = SERVICE_INFO.jina.keyEnv ?? 'JINA_API_KEY';
  return {
    // A reader elsewhere (a self-hosted copy, a proxy) may read differently: its URL is part of the id.
    id: access.overridden ? `jina:${publicEndpoint(access.baseUrl)}` : 'jina',
    async read(url, signal) {
      const page = httpUrl(url, JINA_LABEL);
      const req = { provider: JINA_LABEL, secrets: serviceSecrets(access) };
      const res = await requestService(
        {
          ...req,
          url: `${access.baseUrl}/${page.href}`,
          headers: { accept: 'text/plain', ...(access.key ? { authorization: `Bearer ${access.key}` } : {}) },
          maxBytes: MAX_BYTES,
          maxRedirects: 2,
        },
        policy,
        signal,
      );
      switch (res.status) {
        case 200:
          break;
        case 401:
        case 403:
          throw statusError(req, res, access.key ? `the key was refused; check ${keyEnv}` : `it asks for a key; set ${keyEnv}`);
        case 402:
          throw statusError(req, res, 'the Jina account has no balance left');
        case 429:
          throw statusError(req, res, access.key ? 'rate limited' : `rate limited; a key (${keyEnv}) raises the limit`);
        default:
          throw statusError(req, res);
      }
      // A reader that echoes the key it was sent: the page goes on to the summariser, the run and the cache without it.
      const parsed = redactValue(parseReaderText(res.body.toString('utf8')), req.secrets);
      if (!parsed.text) throw new ProviderError(JINA_LABEL, `found no text on ${page.host}`, true);
      return parsed;
    },
  };
}

/** Jina's text answer as title and text; a "Target URL returned error" warning is the page's failure. */
export function parseReaderText(body: string): PageText {
  const marker = body.indexOf(CONTENT_MARKER);
  if (!body.startsWith('Title:') || marker < 0) return { text: body.trim() };
  const header = body.slice(0, marker);
  const warning = /^Warning:[ \t]*(.*)$/m.exec(header)?.[1]?.trim();
  const failed = warning ? /Target URL returned error (\d{3})(?::\s*(.*))?/i.exec(warning) : null;
  if (failed) throw new ProviderError(JINA_LABEL, `the page answered ${failed[1]}${failed[2] ? ` (${failed[2].slice(0, 80)})` : ''}`, true);
  const title = /^Title:[ \t]*(.*)$/m.exec(header)?.[1]?.trim();
  const text = body.slice(marker + CONTENT_MARKER.length).trim();
  return title ? { title, text } : { text };
}
