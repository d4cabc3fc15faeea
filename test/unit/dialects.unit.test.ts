import { strict as assert } from 'node:assert';
import type { ChatMessage, ContentPart, ModelOutput } from '../../src/core/chat';
import { getDialect } from '../../src/core/dialects';
import type { ObservationContext, PromptContext } from '../../src/core/dialects/dialect';

const gog = getDialect('gog');
const r1 = getDialect('mmsearch-r1');
const tools = getDialect('tool-calls');

const text = (t: string): ModelOutput => ({ text: t });
const call = (name: string, args: string, id = 'call_1'): ModelOutput => ({
  text: '',
  toolCalls: [{ id, type: 'function', function: { name, arguments: args } }],
});

const prompt: PromptContext = {
  question: 'Who is this?',
  boxFormat: 'rel-1000',
  sent: { width: 640, height: 427 },
  maxTurns: 8,
  imageUrl: 'data:image/jpeg;base64,AAAA',
};

function userText(m: ChatMessage): string {
  assert.equal(m.role, 'user');
  const content = (m as { content: string | ContentPart[] }).content;
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '<IMG>')).join('');
}

describe('dialects', () => {
  describe('gog', () => {
    it('reads each of the four actions', () => {
      assert.deepEqual(gog.parse(text('<think>easy</think><answer>Paris</answer>')).action, { kind: 'answer', text: 'Paris' });
      assert.deepEqual(gog.parse(text('<think>x</think>\n<text_search>Eiffel tower height</text_search>')).action, {
        kind: 'text_search',
        query: 'Eiffel tower height',
      });
      assert.deepEqual(gog.parse(text('<think>x</think><search><img></search>')).action, { kind: 'image_search', scope: 'full' });
      assert.deepEqual(gog.parse(text('<think>x</think><search><bbox>[10, 20, 300, 400]</bbox></search>')).action, {
        kind: 'image_search',
        scope: 'region',
        numbers: [10, 20, 300, 400],
      });
    });

    it('accepts the box written as a JSON object, bare numbers or decimals', () => {
      const numbers = (t: string) => {
        const a = gog.parse(text(t)).action;
        return a.kind === 'image_search' && a.scope === 'region' ? a.numbers : undefined;
      };
      assert.deepEqual(numbers('<search><bbox>{"bbox_2d": [1, 2, 30, 40]}</bbox></search>'), [1, 2, 30, 40]);
      assert.deepEqual(numbers('<search><bbox>0.1,0.2,0.5,0.75</bbox></search>'), [0.1, 0.2, 0.5, 0.75]);
      assert.deepEqual(numbers('<search><bbox>[1,2,3]</bbox></search>'), [1, 2, 3]); // the count is checked against the image later
    });

    it('keeps think and reflect text in order, and the implicit <think> of thinking models', () => {
      const t = gog.parse(text('<think>first</think><reflect>wrong region</reflect><search><img></search>'));
      assert.deepEqual(t.reasoning, [
        { kind: 'think', text: 'first' },
        { kind: 'reflect', text: 'wrong region' },
      ]);
      const implicit = gog.parse(text('I should look at the patch.</think>\n<answer>STS-93</answer>'));
      assert.deepEqual(implicit.reasoning, [{ kind: 'think', text: 'I should look at the patch.' }]);
      assert.deepEqual(implicit.action, { kind: 'answer', text: 'STS-93' });
      const server = gog.parse({ text: '<answer>x</answer>', reasoning: 'from reasoning_content' });
      assert.deepEqual(server.reasoning, [{ kind: 'think', text: 'from reasoning_content' }]);
    });

    it('ignores action tags inside reasoning', () => {
      const t = gog.parse(text('<think>I could use <answer>guess</answer> but no</think><text_search>q</text_search>'));
      assert.deepEqual(t.action, { kind: 'text_search', query: 'q' });
    });

    it('turns malformed turns into parse errors that name the problem', () => {
      const err = (t: string) => {
        const a = gog.parse(text(t)).action;
        assert.equal(a.kind, 'parse_error', t);
        return (a as { message: string }).message;
      };
      assert.match(err('I think it is Paris.'), /no action found/);
      assert.match(err('<text_search>a</text_search><answer>b</answer>'), /found 2 actions/);
      assert.match(err('<think>long thought cut off'), /unclosed <think>/);
      assert.match(err('<answer>Paris'), /unclosed <answer>/);
      assert.match(err('<answer>  </answer>'), /empty/);
      assert.match(err('<text_search></text_search>'), /empty/);
      assert.match(err('<search>the patch</search>'), /<img>.*<bbox>/);
      assert.match(err(''), /no action found/);
    });

    it('puts the image and the question in the first user turn and describes the box format', () => {
      const [system, user] = gog.initialMessages(prompt);
      assert.equal(system!.role, 'system');
      assert.match((system as { content: string }).content, /0 to 1000/);
      assert.match(userText(user!), /^<IMG>Question: Who is this\?$/);
      const px = gog.initialMessages({ ...prompt, boxFormat: 'pixels-sent' })[0] as { content: string };
      assert.match(px.content, /640×427/);
    });

    it('renders evidence as an <information> user turn that repeats the question, thumbnails interleaved', () => {
      const obs: ObservationContext = {
        question: 'Who is this?',
        tool: 'image_search',
        searched: 'the region [1, 2, 3, 4] you gazed at',
        items: [
          { rank: 1, title: 'STS-93 patch', url: 'https://e.x/1', snippet: 'crew patch', imageUrl: 'data:image/jpeg;base64,BB' },
          { rank: 2, title: 'Shuttle', url: 'https://e.x/2', snippet: 'model' },
        ],
      };
      const [m] = gog.observationMessages(obs);
      const t = userText(m!);
      assert.match(t, /^Searched results: <information>\[Image Search Results\] /);
      assert.match(t, /1\. image: <IMG>\ntitle: STS-93 patch\nurl: https:\/\/e\.x\/1\nsnippet: crew patch/);
      assert.match(t, /2\. title: Shuttle/);
      assert.match(t, /<\/information>\nOriginal user's question: Who is this\?\n/);
      assert.match(t, /<reflect>/);
      const failed = userText(gog.observationMessages({ ...obs, items: [], error: 'timeout' })[0]!);
      assert.match(failed, /There is an error encountered in performing search on .*: timeout/);
    });

    it('tells the model about errors and forces an answer on the last turn', () => {
      const [m] = gog.errorMessages('box is reversed', 'Who is this?');
      assert.match(userText(m!), /could not be carried out: box is reversed[\s\S]*Original user's question: Who is this\?/);
      assert.match(gog.forceAnswer().text, /<answer>/);
      assert.equal(gog.forceAnswer().toolChoice, undefined);
    });
  });

  describe('mmsearch-r1', () => {
    it("reads MMSearch-R1's exact tags", () => {
      const t = r1.parse(text('<reason>I need to identify the landmark.</reason><search><img></search>'));
      assert.deepEqual(t.reasoning, [{ kind: 'reason', text: 'I need to identify the landmark.' }]);
      assert.deepEqual(t.action, { kind: 'image_search', scope: 'full' });
      assert.deepEqual(r1.parse(text('<reason>r</reason><text_search>Burj Khalifa height</text_search>')).action, {
        kind: 'text_search',
        query: 'Burj Khalifa height',
      });
      assert.deepEqual(r1.parse(text('<reason>r</reason><answer>828 m</answer>')).action, { kind: 'answer', text: '828 m' });
    });

    it('has no region search and does not read gog reasoning tags', () => {
      const a = r1.parse(text('<reason>r</reason><search><bbox>[1,2,3,4]</bbox></search>')).action;
      assert.equal(a.kind, 'parse_error');
      assert.match((a as { message: string }).message, /no region search/);
      assert.equal(r1.supportsRegions, false);
      assert.deepEqual(r1.parse(text('<think>t</think><answer>a</answer>')).reasoning, []);
    });

    it('puts its instructions, the question and then the image in one user turn, like its rollout', () => {
      const messages = r1.initialMessages(prompt);
      assert.equal(messages.length, 1);
      assert.match(userText(messages[0]!), /\nQuestion: Who is this\?\nImage: <IMG>$/);
      assert.match(userText(messages[0]!), /<reason>[\s\S]*<search><img><\/search>[\s\S]*<text_search>/);
    });

    it('renders text results as MMSearch-R1 does', () => {
      const [m] = r1.observationMessages({
        question: 'q?',
        tool: 'text_search',
        searched: '"burj"',
        items: [{ rank: 1, title: 'Burj', url: 'u', snippet: 's' }],
      });
      assert.match(
        userText(m!),
        /^Searched results: <information>\[Text Search Results\] [\s\S]*1\. title: Burj\nurl: u\nsummary: s<\/information>\nOriginal user's question: q\?\n/,
      );
    });
  });

  describe('tool-calls', () => {
    it('declares the three tools with JSON schemas', () => {
      const specs = tools.tools!(prompt);
      assert.deepEqual(
        specs.map((s) => s.function.name),
        ['image_search', 'text_search', 'answer'],
      );
      const region = (specs[0]!.function.parameters as { properties: { region: { minItems: number; maxItems: number } } }).properties.region;
      assert.equal(region.minItems, 4);
      assert.equal(region.maxItems, 4);
    });

    it('reads tool calls and keeps the content as reasoning', () => {
      const t = tools.parse({ text: 'The patch will tell.', toolCalls: call('image_search', '{"region": [100, 200, 300, 400]}').toolCalls });
      assert.deepEqual(t.action, { kind: 'image_search', scope: 'region', numbers: [100, 200, 300, 400] });
      assert.deepEqual(t.reasoning, [{ kind: 'think', text: 'The patch will tell.' }]);
      assert.deepEqual(t.callIds, ['call_1']);
      assert.deepEqual(tools.parse(call('image_search', '{}')).action, { kind: 'image_search', scope: 'full' });
      assert.deepEqual(tools.parse(call('image_search', '')).action, { kind: 'image_search', scope: 'full' });
      assert.deepEqual(tools.parse(call('text_search', '{"query": "STS-93 payload"}')).action, { kind: 'text_search', query: 'STS-93 payload' });
      assert.deepEqual(tools.parse(call('answer', '{"text": "Chandra"}')).action, { kind: 'answer', text: 'Chandra' });
    });

    it('turns bad calls into parse errors', () => {
      const err = (o: ModelOutput) => {
        const a = tools.parse(o).action;
        assert.equal(a.kind, 'parse_error');
        return (a as { message: string }).message;
      };
      assert.match(err(text('It is Paris.')), /no tool was called/);
      assert.match(err(call('answer', '{"text": ')), /not valid JSON/);
      assert.match(err(call('answer', '[1]')), /JSON object/);
      assert.match(err(call('answer', '{}')), /non-empty string `text`/);
      assert.match(err(call('browse', '{}')), /no tool named "browse"/);
      assert.match(err(call('image_search', '{"region": ["a", 1, 2, 3]}')), /four numbers/);
      assert.match(
        err({ text: '', toolCalls: [...call('answer', '{"text":"a"}').toolCalls!, ...call('answer', '{"text":"b"}', 'call_2').toolCalls!] }),
        /2 tools were called/,
      );
    });

    it('answers every tool call id, with results as JSON and thumbnails in a user turn', () => {
      const messages = tools.observationMessages({
        question: 'q',
        tool: 'image_search',
        searched: 'the whole image',
        items: [{ rank: 1, title: 'T', url: 'U', snippet: 'S', imageUrl: 'data:image/jpeg;base64,CC' }],
        callIds: ['a', 'b'],
      });
      assert.equal(messages.length, 3);
      const [first, second, images] = messages as [
        { role: string; tool_call_id: string; content: string },
        { tool_call_id: string; content: string },
        ChatMessage,
      ];
      assert.equal(first.role, 'tool');
      assert.equal(first.tool_call_id, 'a');
      assert.deepEqual(JSON.parse(first.content), { searched: 'the whole image', results: [{ rank: 1, title: 'T', url: 'U', snippet: 'S' }] });
      assert.equal(second.tool_call_id, 'b');
      assert.match(JSON.parse(second.content).error, /only one tool call/);
      assert.match(userText(images), /<IMG>/);
      const errs = tools.errorMessages('bad region', 'q', ['x']);
      assert.deepEqual(errs, [{ role: 'tool', tool_call_id: 'x', content: JSON.stringify({ error: 'bad region' }) }]);
    });

    it('echoes tool calls back in the assistant message and forces the answer tool last', () => {
      const out = call('text_search', '{"query":"q"}');
      assert.deepEqual(tools.assistantMessage(out), { role: 'assistant', content: null, tool_calls: out.toolCalls });
      assert.deepEqual(tools.forceAnswer().toolChoice, { type: 'function', function: { name: 'answer' } });
    });
  });
});
