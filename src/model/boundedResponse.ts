// A cap on every body the model endpoint sends, counted as the bytes arrive after
// decompression (the fetch has already inflated them), so a compressed bomb stops at the cap
// instead of inflating to gigabytes. It wraps the fetch the openai SDK is given, so what the
// SDK reads itself (the model list, an error's body) is bounded as well as the replies read
// here. A chat reply may be large (its cap follows the characters of a reply kept); any
// other answer is small.
import { ReplyTooLarge } from './replyReader';

/** Wire bytes allowed for each character of a reply kept: an SSE chunk per token is ~200 bytes for ~4 characters. */
export const REPLY_BYTES_PER_CHAR = 64;
/** The least a reply stream may take, whatever maxReplyChars says. */
const MIN_REPLY_BYTES = 64 * 1024 * 1024;
/** A model list or an error's body: a hosted API lists hundreds of models in a megabyte or two. */
export const OTHER_ANSWER_BYTES = 16 * 1024 * 1024;

export function replyBodyCap(maxReplyChars: number): number {
  return Math.max(MIN_REPLY_BYTES, maxReplyChars * REPLY_BYTES_PER_CHAR);
}

/** The response with a body that errors with ReplyTooLarge once more than `limit` bytes have come. */
function capped(response: Response, limit: number, error: () => ReplyTooLarge): Response {
  if (!response.body) return response;
  let seen = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        // Erroring the stream cancels the source: the connection (and any inflating) stops here.
        if (seen > limit) controller.error(error());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function isChatReply(input: Parameters<typeof fetch>[0], response: Response): boolean {
  const url = new URL(input instanceof Request ? input.url : String(input));
  return response.ok && url.pathname.replace(/\/+$/, '').endsWith('/chat/completions');
}

/** `inner`, with every response body capped: a chat reply at `replyBytes`, anything else at OTHER_ANSWER_BYTES. */
export function withBodyCaps(inner: typeof fetch, replyBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (isChatReply(input, response))
      return capped(
        response,
        replyBytes,
        () =>
          new ReplyTooLarge(
            replyBytes,
            'a reply stream',
            `${REPLY_BYTES_PER_CHAR} bytes for each character of a reply kept: setting gog.maxReplyChars, CLI --max-reply-chars`,
          ),
      );
    return capped(response, OTHER_ANSWER_BYTES, () => new ReplyTooLarge(OTHER_ANSWER_BYTES, 'an answer'));
  };
}
