// An uploaded image's URL as it may be written down. A presigned URL is a bearer
// capability until it expires: its signature (X-Amz-Signature), the key id and scope
// (X-Amz-Credential) and any session token go, with the rest of the signing parameters, as
// do a user name and password and the usual token parameters of other services.

/** Query parameters that carry or describe a credential (compared in lower case). */
const CREDENTIAL_PARAMS = new Set(['signature', 'sig', 'token', 'access_token', 'api_key', 'apikey', 'key', 'x-goog-signature', 'x-goog-credential']);

export function recordableUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  u.username = '';
  u.password = '';
  for (const name of [...new Set(u.searchParams.keys())]) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') || lower.startsWith('x-goog-') || CREDENTIAL_PARAMS.has(lower)) u.searchParams.delete(name);
  }
  return u.href;
}
