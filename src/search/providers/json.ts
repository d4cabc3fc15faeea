// Reading provider JSON field by field. Services omit keys rather than send null or [],
// and a proxy may send anything: every reader takes `unknown` and answers with the
// expected type or with nothing, never throwing.

export type JsonObject = Record<string, unknown>;

export function obj(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** An array, or [] when the field is absent or something else. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** A string with something in it, trimmed; numbers are not strings. */
export function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s ? s : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value.a.b…`, or undefined where any step is missing. */
export function at(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) v = obj(v)?.[k];
  return v;
}

/** An absolute http(s) URL, or undefined (relative paths and other schemes are not followed). */
export function httpUrl(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? s : undefined;
  } catch {
    return undefined;
  }
}
