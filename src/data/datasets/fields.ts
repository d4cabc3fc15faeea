// Reading fields of untrusted records: dotted paths, text from whatever type a file stores
// (Parquet gives bytes and BigInts, JSON numbers), gold answers from strings, numbers,
// lists, lists of lists and JSON-encoded lists, and image values in their published forms.
import { parseJson } from '../../core/json';

export type Rec = Record<string, unknown>;

export function isRecord(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** `a.b.0.c`: object keys and list positions. */
export function getPath(record: unknown, dotted: string): unknown {
  let v: unknown = record;
  for (const key of dotted.split('.')) {
    if (Array.isArray(v) && /^\d+$/.test(key)) v = v[Number(key)];
    else if (isRecord(v)) v = v[key];
    else return undefined;
  }
  return v;
}

const utf8 = new TextDecoder('utf-8');

/** Text of a scalar (string, number, BigInt, UTF-8 bytes), trimmed; undefined for anything else or empty. */
export function asText(v: unknown): string | undefined {
  let t: string | undefined;
  if (typeof v === 'string') t = v;
  else if (typeof v === 'number' && Number.isFinite(v)) t = String(v);
  else if (typeof v === 'bigint') t = v.toString();
  else if (v instanceof Uint8Array) t = utf8.decode(v);
  t = t?.trim();
  return t ? t : undefined;
}

/**
 * A question from a field: text, or a chat message list (veRL's `prompt`), whose first user
 * message's text is taken. `<image>` placeholders are not part of the question.
 */
export function asQuestion(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    const messages = v.filter(isRecord);
    const user = messages.find((m) => m.role === 'user') ?? messages[0];
    if (!user) return undefined;
    const content = user.content;
    const text = Array.isArray(content)
      ? content
          .filter(isRecord)
          .map((p) => asText(p.text) ?? '')
          .join(' ')
      : asText(content);
    return asQuestion(text);
  }
  return asText(typeof v === 'string' ? v.replace(/<image>/g, ' ').replace(/\s+/g, ' ') : v);
}

/**
 * Gold answers from any number of values: strings, numbers, lists (nested ones flattened, as
 * DynVQA's 202410 files nest them), InfoSeek's numeric `{wikidata, range}`; trimmed, empty
 * ones and repeats dropped.
 */
export function goldList(...values: unknown[]): string[] {
  const out: string[] = [];
  const add = (v: unknown, depth: number): void => {
    if (depth > 4) return;
    if (Array.isArray(v)) for (const x of v) add(x, depth + 1);
    else if (isRecord(v) && 'wikidata' in v) add(v.wikidata, depth + 1);
    else {
      const t = asText(v);
      if (t !== undefined && !out.includes(t)) out.push(t);
    }
  };
  for (const v of values) add(v, 0);
  return out;
}

/** A JSON-encoded list of answers (MMSearch-R1's `candidate_answers`), or a list already; strings only, as MMSearch-R1 keeps. */
export function jsonAnswerList(v: unknown): string[] {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = parseJson(v);
    } catch {
      return goldList(v);
    }
  }
  return Array.isArray(list) ? goldList(list.filter((x) => typeof x === 'string')) : [];
}

/**
 * An image as a record holds it, before it is checked: a path (with other names to try, and
 * a URL to use when no file is there), bytes, or a URL.
 */
export type RawImage = { path: string; alternatives?: string[]; fallbackUrl?: string } | { bytes: Buffer } | { url: string };

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

/**
 * An image value in its published forms: bytes, an HF Image struct `{bytes, path}`, a data
 * URL, a base64 string (SimpleVQA), an http(s) URL, a path, or a list of these (the first).
 */
export function rawImage(v: unknown): RawImage | undefined {
  if (Array.isArray(v)) return v.length ? rawImage(v[0]) : undefined;
  if (v instanceof Uint8Array) return v.length ? { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength) } : undefined;
  if (isRecord(v)) return rawImage(v.bytes) ?? rawImage(v.path) ?? rawImage(v.url);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!s) return undefined;
  const data = /^data:image\/[\w.+-]+;base64,(.*)$/s.exec(s);
  if (data) return { bytes: Buffer.from(data[1]!, 'base64') };
  if (/^https?:\/\//i.test(s)) return { url: s };
  if (s.length > 512 && BASE64.test(s)) return { bytes: Buffer.from(s, 'base64') };
  return { path: s };
}
