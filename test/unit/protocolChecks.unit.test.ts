// The webview's zod-free checks of host messages and responses give the schemas' verdicts:
// on every demo run's real init message, and on each of them with any one field deleted or
// made wrong in a dozen ways (every path of the message, so every field of every event).
import { strict as assert } from 'node:assert';
import type { Edit, TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { hostMessageSchema, responseSchemas, type HostMessage, type RequestMethod } from '../../src/shared/messages';
import { checkHostMessage, checkResponse } from '../../src/shared/protocolChecks';
import { demoRuns } from '../helpers/demoRuns';

const BAD_VALUES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(65),
  0,
  -1,
  1.5,
  2,
  9,
  2 ** 53,
  Number.NaN,
  Infinity,
  true,
  [],
  {},
  [0, 0, 1, 1],
  [1, 2, 3, 4, 5],
];

/** Every path to a value inside `v` (objects and arrays), the root excluded. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...at, k], ...paths((v as Record<string | number, unknown>)[k], [...at, k])]);
}

/**
 * `v` with the value at `at` replaced (or deleted, for a key, when `to` is undefined): the
 * objects along the path are copied, the rest shared, so `v` is never changed and a copy of a
 * whole trajectory is not made for each of thousands of mutations.
 */
function withValue(v: unknown, at: (string | number)[], to: unknown): unknown {
  const [k, ...rest] = at;
  if (k === undefined) return to;
  const from = v as Record<string | number, unknown>;
  const copy = (Array.isArray(v) ? [...(v as unknown[])] : { ...from }) as Record<string | number, unknown>;
  if (rest.length === 0 && to === undefined && !Array.isArray(copy)) delete copy[k];
  else copy[k] = rest.length ? withValue(from[k], rest, to) : to;
  return copy;
}

const hostVerdicts = (v: unknown) => [checkHostMessage(v).ok, hostMessageSchema.safeParse(v).success];

function assertSameVerdictsOnMutations(valid: unknown, check: (v: unknown) => boolean[], values = BAD_VALUES): number {
  let compared = 0;
  let refused = 0;
  const before = structuredClone(valid);
  for (const at of paths(valid))
    for (const to of values) {
      const v = withValue(valid, at, to);
      const [mine, zods] = check(v);
      assert.equal(mine, zods, `${at.join('.')} = ${String(to)}: the check says ${mine ? 'valid' : 'invalid'}, the schema ${zods ? 'valid' : 'invalid'}`);
      compared++;
      if (!zods) refused++;
    }
  // Copies the schema refuses: the mutations are made (a copy left valid would agree either way).
  if (compared) assert.ok(refused > 0, 'no mutated copy was refused by the schema');
  assert.deepEqual(valid, before, 'the message the copies were made from is unchanged');
  return compared;
}

const EDITS: Edit[] = [
  { op: 'set_box', target: 'e3', box: [1, 2, 30, 40] },
  { op: 'set_text', target: 'e2', text: 'better' },
  { op: 'drop_step', target: 2 },
  { op: 'restore_step', target: 2 },
  { op: 'insert_reflection', target: 2, kind: 'reflect', text: 'wait' },
  { op: 'label', label: 'accepted', note: 'ok', tags: ['a'] },
  { op: 'label', label: 'rejected', note: 'settled', adjudicated: true },
  { op: 'revert', target: 'u0123456789abcdef' },
];
const annotations: TrajectoryEvent[] = EDITS.map((edit, i) => ({ type: 'annotation', step: 0, t: 'now', id: `u${String(i).padStart(16, '0')}`, edit }));

describe('protocol checks without zod (the trajectory webview)', function () {
  this.timeout(120_000);

  it("gives hostMessageSchema's verdict on every demo run's init message and on thousands of broken copies", async () => {
    let compared = 0;
    for (const run of await demoRuns()) {
      const { header, events, problems } = await readTrajectory(run.trajectory);
      const init: HostMessage = {
        type: 'init',
        title: 'trajectory.jsonl',
        source: run.trajectory,
        header: header!,
        events: [...events, ...annotations],
        problems: [...problems, { line: 3, message: 'bad' }],
        assets: { 'image.png': 'https://file+.vscode-resource/x' },
        refused: { 'x.png': 'outside' },
        live: false,
        complete: true,
        editable: true,
        pending: { version: 2, annotations: annotations as Extract<TrajectoryEvent, { type: 'annotation' }>[] },
        annotator: 'ana',
        scheme: {
          verdicts: [
            { label: 'accepted', key: 'y', name: 'Good' },
            { label: 'rejected', needsReason: true },
          ],
          categories: [{ id: 'wrong-region', name: 'Wrong region', key: '1', needsReason: true }, { id: 'format' }],
          source: '/p/.gog/labels.json',
        },
        schemeWarning: '/p/.gog/labels.json is not JSON (line 3)',
        blind: { hidden: 2, revealed: false },
      };
      assert.deepEqual(hostVerdicts(init), [true, true]);
      compared += assertSameVerdictsOnMutations(init, hostVerdicts);
    }
    assert.ok(compared > 5000, `only ${compared} compared`);
  });

  it('gives the same verdicts on every other kind of host message', () => {
    const messages: HostMessage[] = [
      { type: 'events', events: annotations, complete: false, assets: { a: 'b' }, refused: {}, pending: { version: 0, annotations: [] } },
      { type: 'pending', version: 3, annotations: annotations as Extract<TrajectoryEvent, { type: 'annotation' }>[] },
      { type: 'queue', position: 4, shown: 10, total: 2000, reviewed: 3 },
      { type: 'delta', step: 2, text: 'tok' },
      { type: 'status', running: true, message: 'running' },
      { type: 'response', requestId: 7, ok: false, result: { any: 'thing' }, error: 'no' },
    ];
    for (const m of messages) {
      assert.deepEqual(hostVerdicts(m), [true, true], JSON.stringify(m));
      assertSameVerdictsOnMutations(m, hostVerdicts);
    }
    for (const v of [null, 'init', 3, [], {}, { type: 'nope' }, { type: 'constructor' }, { type: 'toString' }, { type: 'queue' }])
      assert.deepEqual(hostVerdicts(v), [false, false], JSON.stringify(v));
  });

  it("gives responseSchemas' verdict on each method's result", () => {
    const results: { [M in RequestMethod]: unknown } = {
      openExternal: null,
      cancel: null,
      edit: { annotation: annotations[0], version: 1 },
      related: {
        parent: { file: '../p/trajectory.jsonl', label: 'Which?', step: 2, answer: null, missing: true },
        branches: [{ file: 'b.jsonl', label: 'Why?', answer: 'x' }],
      },
      openTrajectory: null,
      keepBranch: { accepted: 'b.jsonl', rejected: '' },
      history: null,
      rerunFromStep: null,
      queue: { opened: null },
    };
    for (const method of Object.keys(results) as RequestMethod[]) {
      const verdicts = (v: unknown) => [checkResponse(method, v).ok, responseSchemas[method].safeParse(v).success];
      assert.deepEqual(verdicts(results[method]), [true, true], method);
      for (const v of BAD_VALUES) assert.deepEqual(verdicts(v)[0], verdicts(v)[1], `${method} ← ${String(v)}`);
      assertSameVerdictsOnMutations(results[method], verdicts);
    }
    assert.equal(checkResponse('queue', { opened: 'a.jsonl' }).ok, true);
  });
});
