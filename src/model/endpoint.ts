// The endpoint URL a user gives, taken apart: the base URL the SDK appends paths to, the
// query string it must send with every request (some gateways take a token there: it
// belongs in the SDK's defaultQuery, or `/chat/completions` lands inside it), the form that
// is safe to record and print, and the parts that are secrets wherever they show up.
import { MIN_SECRET_LENGTH } from '../core/redact';

export interface Endpoint {
  /** Scheme, credentials, host and path; no query string or fragment. */
  baseURL: string;
  /** Query parameters sent with every request. */
  query: Record<string, string>;
  /** Without credentials, query string or trailing slash: safe for records and logs. */
  public: string;
  /** Values that must never be written or printed (query values, URL password). */
  secrets: string[];
}

export function parseEndpoint(url: string): Endpoint {
  const u = new URL(url);
  const query: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of u.searchParams) {
    query[name] = value;
    if (value.length >= MIN_SECRET_LENGTH) secrets.push(value);
  }
  // The userinfo as written and decoded; a user name alone is a token (https://TOKEN@host/).
  const userinfo = u.password ? [u.password] : [u.username];
  for (const part of userinfo) for (const s of new Set([part, decoded(part)])) if (s.length >= MIN_SECRET_LENGTH) secrets.push(s);
  u.search = '';
  u.hash = '';
  return { baseURL: u.toString().replace(/\/+$/, ''), query, public: publicEndpoint(url), secrets };
}

/** A percent-encoded URL part decoded; as written when it does not decode. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The endpoint URL without credentials or query string: safe for records and logs. */
export function publicEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}
