// Secrets (API keys, tokens in an endpoint's query string, S3 credentials) must never be
// written or printed, however a server echoed them back. A Redactor knows the spellings a
// server could echo a secret in: as given, URL-encoded (both ways of writing a space, either
// case of hex), JSON-escaped (once, twice, with `\/`), and base64 or base64url at any offset
// (a Basic `user:key` header, a token inside an encoded blob). Every spelling becomes
// `[redacted]`, in text (redact) and in every string of a record (redactValue).

/**
 * Shorter values are not secrets but placeholders and parameters (`EMPTY` and `none` for a
 * local server's key, `?v=1`); redacting them would change ordinary words in answers.
 */
export const MIN_SECRET_LENGTH = 8;
/**
 * Base64 spellings are looked for only from this many bytes: a secret's base64 at an unknown
 * offset has a few characters that depend on its neighbours, so shorter secrets leave too
 * short a run of their own to be told from ordinary text.
 */
export const MIN_BASE64_SECRET_LENGTH = 8;
export const REDACTED = '[redacted]';

/** The characters of base64(prefix + secret) that depend on the secret alone, for each of the three offsets mod 3. */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_BASE64_SECRET_LENGTH) return [];
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i holds bits 6i…6i+5: the secret's own characters lie wholly inside its bits.
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Every spelling of `secret` a server could echo. */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ k: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    uri,
    uri.replace(/%20/g, '+'),
    form,
    ...[uri, form].map((u) => u.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())),
    json,
    json.replace(/\//g, '\\/'),
    JSON.stringify(json).slice(1, -1),
    ...base64Cores(secret),
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  /** Redacts nothing. */
  static readonly none = new Redactor([]);

  /** The secrets known, each once, at least MIN_SECRET_LENGTH long. */
  readonly secrets: readonly string[];
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined>) {
    const known = new Set<string>();
    for (const s of secrets) if (s && s.length >= MIN_SECRET_LENGTH) known.add(s);
    this.secrets = [...known];
    const forms = [...new Set(this.secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
    this.pattern = forms.length ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  get empty(): boolean {
    return !this.pattern;
  }

  /** This redactor's secrets and `more`. */
  with(more: Iterable<string | undefined>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  text(text: string): string {
    if (!this.pattern) return text;
    return text.replace(this.pattern, (match: string, at: number) => {
      // In JSON text a match may begin with the letter of an escape (`\n` before "nvapi-…"):
      // keep that letter, so the escape stays whole and the secret still goes.
      let slashes = 0;
      while (at - slashes > 0 && text.charCodeAt(at - slashes - 1) === 0x5c) slashes++;
      return slashes % 2 === 1 ? match[0] + REDACTED : REDACTED;
    });
  }

  /** A copy of a record (plain objects, arrays, strings, numbers…) with every string and key redacted. */
  value<T>(value: T): T {
    return this.pattern ? (this.copy(value) as T) : value;
  }

  /** Iterative, so that no depth of nesting overflows the stack; buffers and other class instances are not text and stay as they are. */
  private copy(root: unknown): unknown {
    if (!isRecord(root)) return typeof root === 'string' ? this.text(root) : root;
    const made = new Map<object, object>();
    const shell = (v: object): object => {
      let c = made.get(v);
      if (!c) {
        made.set(v, (c = Array.isArray(v) ? [] : {}));
        todo.push(v);
      }
      return c;
    };
    const todo: object[] = [];
    const out = shell(root);
    for (let src = todo.pop(); src; src = todo.pop()) {
      const dst = made.get(src) as Record<string, unknown>;
      for (const [k, v] of Object.entries(src) as [string, unknown][]) {
        const copied = isRecord(v) ? shell(v) : typeof v === 'string' ? this.text(v) : v;
        // defineProperty: a key "__proto__" (JSON.parse makes it an own key) stays a key.
        Object.defineProperty(dst, Array.isArray(src) ? k : this.text(k), { value: copied, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
}

function isRecord(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Redactors by their secrets: callers that redact line by line build the pattern once. */
const cache = new Map<string, Redactor>();

export function redactorFor(secrets: readonly (string | undefined)[]): Redactor {
  const key = secrets.filter((s) => s && s.length >= MIN_SECRET_LENGTH).join('\0');
  if (!key) return Redactor.none;
  let r = cache.get(key);
  if (!r) {
    if (cache.size >= 32) cache.clear();
    cache.set(key, (r = new Redactor(secrets)));
  }
  return r;
}

export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return redactorFor(secrets).text(text);
}

export function redactValue<T>(value: T, secrets: readonly (string | undefined)[]): T {
  return redactorFor(secrets).value(value);
}
