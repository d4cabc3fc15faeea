import { strict as assert } from 'node:assert';
import type { ChatMessage } from '../../src/core/chat';
import { ChatBodyEncoder } from '../../src/model/chatBody';

describe('chat body encoder', () => {
  it('always encodes exactly the request, however the conversation changes', () => {
    const enc = new ChatBodyEncoder();
    const params = { model: 'm', temperature: 0, stream: true, stream_options: { include_usage: true } };
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys "quoted" \\ é 😀 \u2028' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
          { type: 'text', text: 'Question: q' },
        ],
      },
    ];
    const check = (p: Record<string, unknown>, m: readonly ChatMessage[]) => {
      const text = enc.encode(p, m).toString('utf8');
      assert.deepEqual(JSON.parse(text), { ...p, messages: m });
      assert.equal(text.length, JSON.stringify({ messages: m, ...p }).length);
    };
    check(params, messages);
    for (let turn = 0; turn < 30; turn++) {
      messages.push({ role: 'assistant', content: `<think>turn ${turn}</think><text_search>q${turn}</text_search>` });
      messages.push({ role: 'user', content: `Searched results: <information>${'r'.repeat(turn * 3000)}</information>` }); // grows past the first buffer
      check(params, messages);
      // A one-off variant of the last message (the forced last turn), then back to the real list.
      const forced = [...messages.slice(0, -1), { role: 'user' as const, content: 'last turn!' }];
      check({ ...params, tool_choice: { type: 'function', function: { name: 'answer' } } }, forced);
      check(params, messages);
    }
    check({}, messages);
    check(params, messages.slice(0, 5)); // shorter
    check(params, []); // empty
    check(params, [{ role: 'user', content: 'a different conversation' }, ...messages.slice(1)]);
    check(params, messages);
  });

  it('stays exact when writing the parameters, not the messages, outgrows its buffer', () => {
    const enc = new ChatBodyEncoder();
    const messages: ChatMessage[] = [{ role: 'user', content: 'small' }];
    const params = { model: 'm', tools: [{ description: 'd'.repeat(200_000) }] };
    assert.deepEqual(JSON.parse(enc.encode(params, messages).toString('utf8')), { ...params, messages });
  });
});
