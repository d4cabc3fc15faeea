// A short passage of a page for a result: the sentence that best matches the query, with
// its neighbours up to a length, or the page's start when there is no query.

const MAX_CHARS = 320;

function terms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function sentences(text: string): string[] {
  return (
    text
      .replace(/\s+/g, ' ')
      .trim()
      .match(/[^.!?]+[.!?]*\s*/g) ?? []
  );
}

function clip(text: string): string {
  if (text.length <= MAX_CHARS) return text.trim();
  const cut = text.lastIndexOf(' ', MAX_CHARS);
  return `${text.slice(0, cut > MAX_CHARS / 2 ? cut : MAX_CHARS).trim()}…`;
}

export function snippetFor(text: string, query?: string): string {
  const parts = sentences(text);
  if (!parts.length) return '';
  const wanted = new Set(terms(query ?? '').filter((t) => t.length > 2));
  let best = 0;
  if (wanted.size) {
    let bestScore = -1;
    parts.forEach((s, i) => {
      const found = new Set(terms(s).filter((t) => wanted.has(t))).size;
      if (found > bestScore) {
        bestScore = found;
        best = i;
      }
    });
  }
  let out = parts[best]!;
  for (let i = best + 1; i < parts.length && out.length + parts[i]!.length <= MAX_CHARS; i++) out += parts[i];
  return clip(out);
}
