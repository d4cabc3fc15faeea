import type { DialectId } from '../trajectory';
import type { Dialect } from './dialect';
import { gogDialect } from './gog';
import { mmsearchR1Dialect } from './mmsearchR1';
import { toolCallsDialect } from './toolCalls';

export type { Dialect, EvidenceItem, ObservationContext, PromptContext } from './dialect';

const DIALECTS: Record<DialectId, Dialect> = {
  gog: gogDialect,
  'mmsearch-r1': mmsearchR1Dialect,
  'tool-calls': toolCallsDialect,
};

export function getDialect(id: DialectId): Dialect {
  return DIALECTS[id];
}
