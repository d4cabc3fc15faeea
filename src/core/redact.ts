// Secrets (API keys, tokens in an endpoint's query string) must never be written or printed,
// however a server echoed them back: every occurrence goes, as written and URL-encoded.

/** Shorter values (`?v=1`) are not secrets, and redacting them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 4;

export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    const encoded = encodeURIComponent(secret);
    for (const form of new Set([secret, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}
