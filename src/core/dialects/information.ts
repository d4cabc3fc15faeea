// The `<information>` evidence turn shared by the tag dialects, after MMSearch-R1's
// rollout: "Searched results: <information>…</information>\nOriginal user's question: …".
import { imagePart, textPart, type ChatMessage, type ContentPart } from '../chat';
import type { ObservationContext } from './dialect';

function label(tool: ObservationContext['tool']): string {
  return tool === 'image_search' ? '[Image Search Results]' : '[Text Search Results]';
}

/** Content parts for the evidence, thumbnails interleaved where present. */
export function informationParts(obs: ObservationContext, afterPrompt: string): ContentPart[] {
  const parts: ContentPart[] = [];
  let text = `Searched results: <information>${label(obs.tool)} `;
  if (obs.error) {
    text += `There is an error encountered in performing search on ${obs.searched}: ${obs.error}`;
  } else if (obs.items.length === 0) {
    text += `The search on ${obs.searched} found nothing.`;
  } else {
    text +=
      obs.tool === 'image_search'
        ? `The search on ${obs.searched} returned web pages whose main image resembles it, most relevant first:`
        : `The search for ${obs.searched} returned these web pages, most relevant first:`;
    for (const item of obs.items) {
      text += `\n${item.rank}. `;
      if (item.imageUrl) {
        text += 'image: ';
        parts.push(textPart(text));
        parts.push(imagePart(item.imageUrl));
        text = '\n';
      }
      text += `title: ${item.title}\nurl: ${item.url}\n${obs.tool === 'text_search' ? 'summary' : 'snippet'}: ${item.snippet}`;
    }
  }
  text += `</information>\nOriginal user's question: ${obs.question}\n${afterPrompt}`;
  parts.push(textPart(text));
  return parts;
}

export function informationMessage(obs: ObservationContext, afterPrompt: string): ChatMessage {
  const parts = informationParts(obs, afterPrompt);
  const onlyText = parts.length === 1 && parts[0]!.type === 'text';
  return { role: 'user', content: onlyText ? (parts[0] as { text: string }).text : parts };
}

export function describeSearched(tool: ObservationContext['tool'], what: { query?: string; box?: readonly number[] }): string {
  if (tool === 'text_search') return JSON.stringify(what.query ?? '');
  return what.box ? `the region [${what.box.join(', ')}] you gazed at` : 'the whole image';
}
