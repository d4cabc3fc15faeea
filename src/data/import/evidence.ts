// The results a model was shown, read back from the messages that carried them: the tag
// dialects' `<information>` turn (information.ts writes it), the tool-calls dialect's JSON
// tool reply with its thumbnails after it (toolCalls.ts), or a peer's free text, kept whole
// as one result so nothing the model saw is lost.
import type { AfterMessage, ImageSource, Part } from './imported';
import { parseJson } from '../../core/json';

export interface ParsedResult {
  rank: number;
  title: string;
  url: string;
  snippet: string;
  image?: ImageSource;
}

export interface ParsedEvidence {
  results: ParsedResult[];
  error?: string;
}

/** Stands for an image part inside the joined text, so items and their thumbnails stay paired. */
const IMAGE = '\uE000';

function joined(parts: readonly Part[]): { text: string; images: ImageSource[] } {
  const images: ImageSource[] = [];
  const text = parts
    .map((p) => {
      if ('text' in p) return p.text.split(IMAGE).join('');
      images.push(p.image);
      return IMAGE;
    })
    .join('');
  return { text, images };
}

/** Free text kept as the one result it is. */
function asText(text: string): ParsedEvidence {
  const trimmed = text.trim();
  return { results: trimmed ? [{ rank: 1, title: '(results as given)', url: '', snippet: trimmed }] : [] };
}

/** The `<information>` turn of the tag dialects. `searched` is what the agent would have called the search. */
export function informationEvidence(message: AfterMessage | undefined, searched: string): ParsedEvidence {
  if (!message) return { results: [] };
  const { text, images } = joined(message.parts);
  const open = text.indexOf('<information>');
  const close = text.indexOf('</information>', open);
  if (open === -1) return asText(text);
  let body = text.slice(open + '<information>'.length, close === -1 ? text.length : close);
  body = body.replace(/^\[(?:Image|Text) Search Results\] ?/, '');
  const errorPrefix = `There is an error encountered in performing search on ${searched}: `;
  if (body.startsWith(errorPrefix)) return { results: [], error: body.slice(errorPrefix.length) };
  const otherError = /^There is an error encountered in performing search on [\s\S]*?: ([\s\S]*)$/.exec(body);
  if (otherError) return { results: [], error: otherError[1]! };
  if (/^The search (?:on|for) [\s\S]* found nothing\.$/.test(body)) return { results: [] };
  const heading = body.indexOf('\n');
  if (heading === -1) return asText(body);
  const chunks = body.slice(heading + 1).split(/\n(?=\d+\. (?:image: \uE000\n)?title: )/);
  const results: ParsedResult[] = [];
  let image = 0;
  for (const chunk of chunks) {
    const m = /^(\d+)\. (image: \uE000\n)?title: ([^\n]*)\nurl: ([^\n]*)\n(?:snippet|summary): ([\s\S]*)$/.exec(chunk);
    if (!m) return asText(body.split(IMAGE).join(''));
    const thumb = m[2] ? images[image++] : undefined;
    results.push({ rank: Number(m[1]), title: m[3]!, url: m[4]!, snippet: m[5]!, ...(thumb ? { image: thumb } : {}) });
  }
  return { results };
}

interface ToolPayload {
  results?: { rank?: unknown; title?: unknown; url?: unknown; snippet?: unknown }[];
  error?: unknown;
}

/** A tool reply (JSON of results or an error) and the thumbnails sent after it by rank. */
export function toolEvidence(after: readonly AfterMessage[]): ParsedEvidence {
  const reply = after.find((m) => m.role === 'tool');
  if (!reply) return { results: [] };
  const text = joined(reply.parts).text;
  let payload: ToolPayload;
  try {
    payload = parseJson(text) as ToolPayload;
  } catch {
    return asText(text);
  }
  if (payload === null || typeof payload !== 'object') return asText(text);
  if (typeof payload.error === 'string') return { results: [], error: payload.error };
  if (!Array.isArray(payload.results)) return asText(text);
  const thumbs = new Map<number, ImageSource>();
  for (const m of after.filter((x) => x.role === 'user')) {
    const j = joined(m.parts);
    let n = 0;
    for (const hit of j.text.matchAll(/(\d+)\.\uE000/g)) thumbs.set(Number(hit[1]), j.images[n++]!);
  }
  const results: ParsedResult[] = [];
  payload.results.forEach((r, i) => {
    const rank = typeof r.rank === 'number' && Number.isInteger(r.rank) && r.rank > 0 ? r.rank : i + 1;
    const image = thumbs.get(rank);
    results.push({
      rank,
      title: typeof r.title === 'string' ? r.title : '',
      url: typeof r.url === 'string' ? r.url : '',
      snippet: typeof r.snippet === 'string' ? r.snippet : '',
      ...(image ? { image } : {}),
    });
  });
  return { results };
}
