import type { DialectId } from '../trajectory';
import type { Dialect, PromptTemplates } from './dialect';
import { gogDialect, gogDialectWith } from './gog';
import { mmsearchR1Dialect, mmsearchR1DialectWith } from './mmsearchR1';
import { toolCallsDialect, toolCallsDialectWith } from './toolCalls';

export type { Dialect, EvidenceItem, ObservationContext, PromptContext, PromptName, PromptTemplates, PromptTexts } from './dialect';
export { PROMPT_NAMES } from './dialect';

const DIALECTS: Record<DialectId, Dialect> = {
  gog: gogDialect,
  'mmsearch-r1': mmsearchR1Dialect,
  'tool-calls': toolCallsDialect,
};

const WITH_TEMPLATES: Record<DialectId, (t: PromptTemplates) => Dialect> = {
  gog: gogDialectWith,
  'mmsearch-r1': mmsearchR1DialectWith,
  'tool-calls': toolCallsDialectWith,
};

/** A dialect in its own wording, or with the wording `templates` give (prompt files). */
export function getDialect(id: DialectId, templates?: PromptTemplates): Dialect {
  return templates && Object.keys(templates).length ? WITH_TEMPLATES[id](templates) : DIALECTS[id];
}
