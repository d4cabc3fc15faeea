// A corrected turn written back in a dialect, then read back by the same dialect's parser:
// the text is used only when it says what it was meant to (a reflection that itself holds
// a `</think>` or an `<answer>` tag would not), so training data and re-runs never carry a
// turn the agent would have read differently.
import type { Action } from '../actions';
import type { ModelOutput } from '../chat';
import type { Dialect, TurnToRender } from './dialect';

function sameAction(a: Action | { kind: 'parse_error' }, b: Action): boolean {
  switch (b.kind) {
    case 'answer':
      return a.kind === 'answer' && a.text === b.text.trim();
    case 'text_search':
      return a.kind === 'text_search' && a.query === b.query.trim();
    case 'image_search':
      if (a.kind !== 'image_search' || a.scope !== b.scope) return false;
      return b.scope === 'full' || (a.scope === 'region' && a.numbers.length === b.numbers.length && a.numbers.every((n, i) => n === b.numbers[i]));
  }
}

/** The reasoning as one text: tool-call dialects keep it as one block, tag dialects as several. */
function reasoningText(texts: readonly { text: string }[]): string {
  return texts
    .map((r) => r.text.trim())
    .filter(Boolean)
    .join('\n\n');
}

export function renderTurnChecked(dialect: Dialect, turn: TurnToRender): ModelOutput | { error: string } {
  const out = dialect.renderTurn(turn);
  if ('error' in out) return out;
  const back = dialect.parse(out);
  if (!sameAction(back.action, turn.action))
    return { error: `written in the ${dialect.id} format, the action reads back differently (does a text hold one of its tags?)` };
  if (reasoningText(back.reasoning) !== reasoningText(turn.reasoning))
    return { error: `written in the ${dialect.id} format, the reasoning reads back differently (does it hold one of the format's tags?)` };
  return out;
}
