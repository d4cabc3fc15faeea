import { strict as assert } from 'node:assert';
import type { TrajectoryEvent } from '../../src/core/trajectory';
import { TrajectoryModel } from '../../webview/model';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-24T10:00:00.000Z';
const box = {
  model: [1, 2, 30, 40] as [number, number, number, number],
  sent: [1, 2, 30, 40] as [number, number, number, number],
  original: [1, 2, 31, 41] as [number, number, number, number],
};

describe('trajectory view model', () => {
  it('groups events into turns, lists gazes, and totals the run', () => {
    const m = new TrajectoryModel(sampleHeader());
    const events: TrajectoryEvent[] = [
      { type: 'model_turn', step: 1, t, raw: 'a', usage: { prompt: 100, completion: 10 }, ms: 500 },
      { type: 'reflection', step: 1, t, kind: 'think', text: 'x' },
      { type: 'action', step: 1, t, action: { kind: 'image_search', scope: 'region', box, crop: 'images/s1-crop.jpg' } },
      { type: 'observation', step: 1, t, tool: 'image_search', results: [], error: 'timeout', ms: 50 },
      { type: 'model_turn', step: 2, t, raw: 'b', usage: { prompt: 200, completion: 20 }, ms: 400 },
      { type: 'action', step: 2, t, action: { kind: 'parse_error', message: 'no action' } },
      { type: 'model_turn', step: 3, t, raw: 'c', ms: 300 },
      { type: 'action', step: 3, t, action: { kind: 'image_search', scope: 'full' } },
      { type: 'observation', step: 3, t, tool: 'image_search', results: [], ms: 40 },
      { type: 'model_turn', step: 4, t, raw: 'd', ms: 300 },
      { type: 'action', step: 4, t, action: { kind: 'text_search', query: 'q' } },
      { type: 'annotation', step: 0, t, author: 'ann', edit: { op: 'label', label: 'accepted' } },
    ];
    for (const e of events) m.apply(e);
    assert.deepEqual(
      m.turns.map((x) => x.step),
      [1, 2, 3, 4],
    );
    assert.deepEqual(m.gazes, [{ step: 1, box }]);
    assert.equal(m.annotations.length, 1);
    assert.deepEqual(m.totals, {
      turns: 4,
      textSearches: 1,
      glances: 1,
      gazes: 1,
      parseErrors: 1,
      toolErrors: 1,
      promptTokens: 300,
      completionTokens: 30,
      ms: 1590,
    });
    m.apply({ type: 'final', step: 4, t, answer: null, stopReason: 'max_turns', turns: 4, ms: 2000 });
    assert.equal(m.totals.ms, 2000, 'the final event has the wall time');
  });

  it('shows streamed text until the turn is recorded', () => {
    const m = new TrajectoryModel(sampleHeader());
    m.streamDelta(1, '<think>a');
    m.streamDelta(1, 'b');
    assert.equal(m.turn(1).streaming, '<think>ab');
    m.apply({ type: 'model_turn', step: 1, t, raw: '<think>ab</think>', ms: 1 });
    assert.equal(m.turn(1).streaming, undefined);
    m.streamDelta(1, 'late');
    assert.equal(m.turn(1).streaming, undefined, 'a recorded turn ignores stray deltas');
  });
});
