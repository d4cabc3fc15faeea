// Scripted model turns for the replay server (the OpenAI-compatible test double).
import type { Recording, RecordedTurn } from '../../src/model/replayServer';

export const TEST_MODEL = 'gog-test-model';

export function recording(question: string, turns: (string | RecordedTurn)[], model = TEST_MODEL): Recording {
  return { question, model, turns: turns.map((t) => (typeof t === 'string' ? { text: t } : t)), source: 'test' };
}

export function toolTurn(name: string, args: unknown, text = '', id = `call_${name}`): RecordedTurn {
  return { text, toolCalls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] };
}
