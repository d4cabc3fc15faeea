// Chat-completions request bodies built incrementally. The API resends the whole
// conversation every turn: serialising it afresh, or even copying megabytes of it into a
// new buffer, every turn made a 1,000-turn run spend most of its local time in
// JSON.stringify, memcpy and the garbage collector. The agent only appends messages and
// never changes one once sent (a one-off variant of the last message is a new object), so
// the conversation is encoded once into a growing buffer, reused up to the first message
// that differs by identity, and the request's parameters are written after it:
//
//   {"messages":[m1,m2,…,mN],"model":…,"stream":true}
//    '------- kept ---------''-- rewritten per request --'
//
// The body returned is a view of that buffer, valid until the next call to encode.
import type { ChatMessage } from '../core/chat';

const OPEN = '{"messages":[';

export class ChatBodyEncoder {
  private sent: readonly ChatMessage[] = [];
  /** Where each message's bytes end in `buffer`. */
  private ends: number[] = [];
  private buffer = Buffer.alloc(64 * 1024);

  constructor() {
    this.buffer.write(OPEN, 0, 'utf8');
  }

  private reserve(bytes: number, keep: number): void {
    if (bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(bytes, this.buffer.length * 2));
    this.buffer.copy(bigger, 0, 0, keep);
    this.buffer = bigger;
  }

  private put(text: string, at: number): number {
    this.reserve(at + Buffer.byteLength(text, 'utf8'), at);
    return at + this.buffer.write(text, at, 'utf8');
  }

  /** The JSON body `{"messages": [...], ...params}` as UTF-8 bytes (a view; see above). */
  encode(params: Record<string, unknown>, messages: readonly ChatMessage[]): Buffer {
    let same = 0;
    while (same < this.sent.length && same < messages.length && this.sent[same] === messages[same]) same++;
    this.ends.length = same;
    let end = same ? this.ends[same - 1]! : OPEN.length;
    for (let i = same; i < messages.length; i++) {
      end = this.put(`${i ? ',' : ''}${JSON.stringify(messages[i])}`, end);
      this.ends.push(end);
    }
    this.sent = [...messages];
    const rest = JSON.stringify(params);
    const tail = rest === '{}' ? ']}' : `],${rest.slice(1)}`;
    const length = this.put(tail, end); // may replace this.buffer: read it after
    return this.buffer.subarray(0, length);
  }
}
