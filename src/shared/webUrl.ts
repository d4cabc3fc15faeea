// Kept out of messages.ts so the trajectory webview can use it without bundling zod.

/** http(s) URLs only: what an evidence link may open. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
