// Throws random and mutated model outputs at every parser: nothing may escape, and every
// result must be a well-formed turn. Seeded, so a failure can be replayed.
import { strict as assert } from 'node:assert';
import type { ModelOutput, ToolCall } from '../../src/core/chat';
import { getDialect } from '../../src/core/dialects';
import { resolveBox } from '../../src/core/geometry';
import { DIALECT_IDS } from '../../src/core/trajectory';

const RUNS_PER_KIND = 6000; // random + mutated = 12,000 per parser

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<think>',
  '</think>',
  '<reflect>',
  '</reflect>',
  '<reason>',
  '</reason>',
  '<answer>',
  '</answer>',
  '<search>',
  '</search>',
  '<img>',
  '</img>',
  '<img/>',
  '<bbox>',
  '</bbox>',
  '<text_search>',
  '</text_search>',
  '<information>',
  '<',
  '>',
  '/',
  '[',
  ']',
  '{',
  '}',
  ',',
  '-',
  '.',
  'e',
  '1',
  '2',
  '9',
  '0',
  '1000',
  '-5',
  '1e999',
  ' ',
  '\n',
  'a',
  'Paris',
  'é',
  '😀',
  '\u0000',
  '\u202e',
  '"bbox_2d"',
  ':',
  'NaN',
  'Infinity',
  '<THINK>',
  '</ANSWER>',
];

const VALID = [
  '<think>look</think><answer>Paris</answer>',
  '<think>t</think><reflect>r</reflect><search><bbox>[10, 20, 300, 400]</bbox></search>',
  '<think>t</think><search><img></search>',
  '<think>t</think><text_search>query words</text_search>',
  '<reason>r</reason><search><img></search>',
  '<reason>r</reason><answer>828 m</answer>',
  'thinking…</think><answer>STS-93</answer>',
  '<search><bbox>{"bbox_2d": [1, 2, 30, 40]}</bbox></search>',
];

function randomText(r: () => number): string {
  const n = Math.floor(r() * 24);
  let s = '';
  for (let i = 0; i < n; i++) s += r() < 0.8 ? PIECES[Math.floor(r() * PIECES.length)] : String.fromCharCode(Math.floor(r() * 0x3000));
  return s;
}

function mutate(text: string, r: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(r() * 4);
  for (let k = 0; k < edits; k++) {
    const i = Math.floor(r() * (s.length + 1));
    const j = Math.min(s.length, i + Math.floor(r() * 8));
    switch (Math.floor(r() * 5)) {
      case 0:
        s = s.slice(0, i) + s.slice(j);
        break; // delete
      case 1:
        s = s.slice(0, i) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(i);
        break; // insert
      case 2:
        s = s.slice(0, i) + s.slice(i, j).toUpperCase() + s.slice(j);
        break;
      case 3:
        s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
        break; // duplicate
      default:
        s = s.slice(0, i); // truncate, as a token limit would
    }
  }
  return s;
}

function randomCalls(r: () => number, base: string): unknown {
  const roll = r();
  if (roll < 0.05) return 'not an array';
  if (roll < 0.1) return [null];
  const names = ['answer', 'text_search', 'image_search', 'browse', '', 'ANSWER'];
  const args = [
    '{"text": "Chandra"}',
    '{"query": "q"}',
    '{"region": [1, 2, 300, 400]}',
    '{"region": "[1,2,3,4]"}',
    '{"region": {"x": 1}}',
    '{}',
    'null',
    '[]',
    '"s"',
  ];
  const n = Math.floor(r() * 3);
  const calls: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const a = args[Math.floor(r() * args.length)]!;
    calls.push(
      r() < 0.1
        ? { id: 1, function: { name: 7, arguments: {} } }
        : {
            id: r() < 0.2 ? '' : `c${i}`,
            type: 'function',
            function: { name: names[Math.floor(r() * names.length)], arguments: r() < 0.5 ? mutate(a, r) : a },
          },
    );
  }
  return calls.length ? calls : base;
}

function checkTurn(output: ModelOutput, dialectId: (typeof DIALECT_IDS)[number]): void {
  const dialect = getDialect(dialectId);
  const turn = dialect.parse(output);
  assert.ok(Array.isArray(turn.reasoning));
  for (const r of turn.reasoning) assert.ok(['think', 'reflect', 'reason'].includes(r.kind) && typeof r.text === 'string' && r.text.length > 0);
  const a = turn.action;
  switch (a.kind) {
    case 'answer':
      assert.ok(typeof a.text === 'string' && a.text.trim().length > 0);
      break;
    case 'text_search':
      assert.ok(typeof a.query === 'string' && a.query.trim().length > 0);
      break;
    case 'image_search':
      if (a.scope === 'region') {
        assert.ok(Array.isArray(a.numbers));
        // The box check that follows parsing must be total too.
        for (const format of ['pixels-sent', 'rel-1000', 'rel-1'] as const)
          resolveBox(a.numbers, format, { width: 504, height: 504 }, { width: 512, height: 512 });
      } else assert.equal(a.scope, 'full');
      break;
    case 'parse_error':
      assert.ok(typeof a.message === 'string' && a.message.length > 0);
      break;
    default:
      assert.fail(`unknown action ${JSON.stringify(a)}`);
  }
  // Rendering the turn back and the error reply must not throw either.
  dialect.assistantMessage(output);
  if (a.kind === 'parse_error') dialect.errorMessages(a.message, 'q', turn.callIds);
}

describe('parser fuzzing', () => {
  for (const dialectId of DIALECT_IDS) {
    it(`${dialectId}: ${2 * RUNS_PER_KIND} random and mutated outputs, no exception escapes`, () => {
      const seed = 20261124 + dialectId.length;
      const r = rng(seed);
      let runs = 0;
      for (let i = 0; i < RUNS_PER_KIND; i++) {
        const random = randomText(r);
        const mutated = mutate(VALID[Math.floor(r() * VALID.length)]!, r);
        for (const t of [random, mutated]) {
          const output: ModelOutput =
            dialectId === 'tool-calls'
              ? { text: t, toolCalls: randomCalls(r, t) as ToolCall[] }
              : r() < 0.05
                ? ({ text: null, reasoning: 42 } as unknown as ModelOutput)
                : { text: t, ...(r() < 0.1 ? { reasoning: mutate(t, r) } : {}) };
          try {
            checkTurn(output, dialectId);
          } catch (e) {
            throw new Error(`seed ${seed}, case ${runs}: ${JSON.stringify(output).slice(0, 300)}: ${(e as Error).message}`, { cause: e });
          }
          runs++;
        }
      }
      assert.ok(runs >= 10_000);
    });
  }
});
