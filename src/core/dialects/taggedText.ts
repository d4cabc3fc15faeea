// Reading XML-like tagged model text (`<think>…</think><answer>…</answer>`), shared by
// the tag dialects. Written to be total: any string in, a ParsedTurn out.
import type { Action, ParsedTurn, Reasoning, ReasoningKind } from '../actions';

export interface TagGrammar {
  /** Reasoning tags and the kind each is recorded as. */
  reasoningTags: Partial<Record<string, ReasoningKind>>;
  /** Whether `<search><bbox>…</bbox></search>` (a gaze) is part of the grammar. */
  allowRegion: boolean;
  /** Names the actions in error messages. */
  actionHelp: string;
}

const ACTION_TAGS = ['answer', 'text_search', 'search'] as const;
type ActionTag = (typeof ACTION_TAGS)[number];

interface Block {
  tag: string;
  body: string;
  start: number;
  end: number;
}

/** All non-nested `<tag>…</tag>` blocks for the given tags, in order of appearance. */
function findBlocks(text: string, tags: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let pos = 0;
  const lower = text.toLowerCase();
  for (;;) {
    let best: { tag: string; at: number } | undefined;
    for (const tag of tags) {
      const at = lower.indexOf(`<${tag}>`, pos);
      if (at !== -1 && (!best || at < best.at)) best = { tag, at };
    }
    if (!best) return blocks;
    const open = `<${best.tag}>`;
    const close = `</${best.tag}>`;
    const closeAt = lower.indexOf(close, best.at + open.length);
    if (closeAt === -1) {
      blocks.push({ tag: best.tag, body: text.slice(best.at + open.length), start: best.at, end: -1 });
      return blocks;
    }
    blocks.push({ tag: best.tag, body: text.slice(best.at + open.length, closeAt), start: best.at, end: closeAt + close.length });
    pos = closeAt + close.length;
  }
}

/**
 * Numbers in a box body: `[1, 2, 3, 4]`, `1,2,3,4`, `{"bbox_2d": [1,2,3,4]}`. Digits glued
 * to a word (`bbox_2d`, `x1=`) are part of a name, not a coordinate.
 */
export function extractNumbers(text: string): number[] {
  const matches = text.match(/(?<![\w.])-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?/gi) ?? [];
  return matches.map(Number);
}

function describeBlock(tag: string): string {
  return `<${tag}>`;
}

export function parseTaggedText(input: string, serverReasoning: string | undefined, grammar: TagGrammar): ParsedTurn {
  const reasoning: Reasoning[] = [];
  if (typeof serverReasoning === 'string' && serverReasoning.trim()) reasoning.push({ kind: 'think', text: serverReasoning.trim() });
  let text = typeof input === 'string' ? input : '';
  const fail = (message: string): ParsedTurn => ({ reasoning, action: { kind: 'parse_error', message } });

  // Thinking models often start inside an implicit <think> opened by the chat template.
  const lower = text.toLowerCase();
  const firstClose = lower.indexOf('</think>');
  const firstOpen = lower.indexOf('<think>');
  if (firstClose !== -1 && (firstOpen === -1 || firstOpen > firstClose) && 'think' in grammar.reasoningTags) {
    const body = text.slice(0, firstClose).trim();
    if (body) reasoning.push({ kind: 'think', text: body });
    text = text.slice(firstClose + '</think>'.length);
  }

  const reasoningTagNames = Object.keys(grammar.reasoningTags);
  const blocks = findBlocks(text, [...reasoningTagNames, ...ACTION_TAGS]);
  const actions: Block[] = [];
  for (const b of blocks) {
    const kind = grammar.reasoningTags[b.tag];
    if (kind) {
      if (b.end === -1)
        return fail(`unclosed ${describeBlock(b.tag)}: the turn ended before </${b.tag}> (was it cut off by the token limit?). ${grammar.actionHelp}`);
      const body = b.body.trim();
      if (body) reasoning.push({ kind, text: body });
    } else {
      actions.push(b);
    }
  }

  if (actions.length === 0) {
    return fail(`no action found. ${grammar.actionHelp}`);
  }
  if (actions.length > 1) {
    const names = actions.map((a) => describeBlock(a.tag)).join(', ');
    return fail(`found ${actions.length} actions (${names}); write exactly one per turn. ${grammar.actionHelp}`);
  }
  const block = actions[0]!;
  if (block.end === -1) return fail(`unclosed ${describeBlock(block.tag)}: close it with </${block.tag}>. ${grammar.actionHelp}`);
  const action = readAction(block.tag as ActionTag, block.body, grammar);
  return typeof action === 'string' ? fail(action) : { reasoning, action };
}

function readAction(tag: ActionTag, body: string, grammar: TagGrammar): Action | string {
  const trimmed = body.trim();
  switch (tag) {
    case 'answer':
      return trimmed ? { kind: 'answer', text: trimmed } : 'the <answer> is empty';
    case 'text_search':
      return trimmed ? { kind: 'text_search', query: trimmed } : 'the <text_search> query is empty';
    case 'search': {
      if (/^<img\s*\/?>(\s*<\/img>)?$/i.test(trimmed)) return { kind: 'image_search', scope: 'full' };
      const bbox = /^<bbox>([\s\S]*)<\/bbox>$/i.exec(trimmed);
      if (bbox) {
        if (!grammar.allowRegion) return `this format has no region search: use <search><img></search> to search the whole image. ${grammar.actionHelp}`;
        return { kind: 'image_search', scope: 'region', numbers: extractNumbers(bbox[1]!) };
      }
      return grammar.allowRegion
        ? 'a <search> must hold <img> (the whole image) or <bbox>[x1, y1, x2, y2]</bbox> (a region)'
        : 'a <search> must hold exactly <img>';
    }
  }
}
