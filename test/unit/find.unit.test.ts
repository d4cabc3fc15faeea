// The pieces of `gog find` that decide what matches, without a process: the literal every
// match of a pattern must hold (never wrong: checked against the real RegExp on thousands of
// generated patterns and texts), the raw-line test that lets unmatched lines go unparsed
// (never false for a line whose text matches, however the line's JSON was written), the
// context shown around a match, and which texts of a trajectory are found once, as which field.
import { strict as assert } from 'node:assert';
import { compileQuery, FIND_FIELDS, FindQueryError, jsonEscaped, parseFields, type FindQuery } from '../../src/data/find/findQuery';
import { requiredLiteral } from '../../src/data/find/requiredLiteral';
import { matchContext, TrajectoryMatcher, type FoundMatch } from '../../src/data/find/trajectoryMatcher';

const query = (pattern: string, o: Partial<FindQuery> = {}): FindQuery => ({ pattern, regex: false, ignoreCase: false, fields: FIND_FIELDS, ...o });

/** A seeded generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** How another writer may put a string in JSON: every non-ASCII character as \uXXXX, and `/` as `\/`. */
function foreignJson(text: string): string {
  return JSON.stringify(text)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

describe('gog find: what matches', () => {
  it('reads the literal a pattern requires, or none when it cannot be sure', () => {
    const cases: [string, string | undefined][] = [
      ['DSCOVR', 'DSCOVR'],
      ['DSC.VR', 'DSC'],
      ['Sun–Earth L\\d', 'Sun–Earth L'],
      ['\\d+ km', ' km'],
      ['a|b', undefined],
      ['(a+)+$', undefined],
      ['(a|b)c', 'c'],
      ['abc+d', 'abc'],
      ['abc*d', 'ab'],
      ['abc?', 'ab'],
      ['ab{0,3}xyz', 'xyz'],
      ['ab{2}c', 'ab'],
      ['x\\.y\\/z', 'x.y/z'],
      ['\\u0041BC', 'BC'],
      ['caf\\u{e9}s', 'caf'],
      ['[abc]def', 'def'],
      ['foo(?=bar)', 'foo'],
      ['(?<=x)yz', 'yz'],
      ['\\bword\\b', 'word'],
      ['\\p{L}+ing', 'ing'],
      ['(?<n>a)\\k<n>bc', 'bc'],
      ['(a)\\1xy', 'xy'],
      ['🚀+ launch', ' launch'],
      ['a🚀?b', 'a'],
      ['', undefined],
      ['.*', undefined],
    ];
    for (const [pattern, want] of cases) assert.equal(requiredLiteral(pattern), want, pattern);
  });

  it('never requires a literal a match lacks: 20,000 generated patterns against the real RegExp', () => {
    const rnd = random(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const atoms = [
      'a',
      'b',
      'c',
      'ab',
      '.',
      '\\.',
      '[ab]',
      '[^a]',
      '\\d',
      '\\w',
      '(a|b)',
      '(?:ab)',
      '(a)',
      '\\b',
      '^',
      '$',
      '(?=a)',
      '(?!b)',
      'é',
      '🚀',
      '"',
      '\\\\',
      '\\/',
    ];
    const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?'];
    const alphabet = ['a', 'b', 'c', '.', 'é', '🚀', '"', '\\', '/', '1', ' ', 'A'];
    let checked = 0;
    for (let n = 0; n < 20000; n++) {
      let source = '';
      for (let k = 1 + Math.floor(rnd() * 5); k > 0; k--) {
        const atom = pick(atoms);
        source += /^[\^$]|^\\b|^\(\?[=!]/.test(atom) ? atom : atom + pick(quantifiers);
      }
      if (rnd() < 0.1) source += `|${pick(atoms)}`;
      let re: RegExp;
      try {
        re = new RegExp(source, 'u');
      } catch {
        continue;
      }
      const literal = requiredLiteral(source);
      for (let t = 0; t < 6; t++) {
        let text = '';
        for (let k = Math.floor(rnd() * 10); k > 0; k--) text += pick(alphabet);
        if (!re.test(text)) continue;
        checked++;
        if (literal !== undefined) assert.ok(text.includes(literal), `/${source}/u matches ${JSON.stringify(text)}, which lacks ${JSON.stringify(literal)}`);
      }
    }
    assert.ok(checked > 2000, `only ${checked} matches checked`);
  });

  it('passes over a raw line only when none of its texts can match, however its JSON spells them', () => {
    const rnd = random(11);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const alphabet = ['a', 'b', 'K', 'k', '\u212a', 'é', 'É', 'ß', 'ſ', 's', 'S', '/', '"', '\\', '\n', '\t', '\u001b', ' ', '🚀', '\u2028'];
    const word = (max: number) => {
      let s = '';
      for (let k = 1 + Math.floor(rnd() * max); k > 0; k--) s += pick(alphabet);
      return s;
    };
    let checked = 0;
    for (let n = 0; n < 4000; n++) {
      const regex = rnd() < 0.4;
      const needle = word(3);
      const pattern = regex ? `${needle.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}.?${pick(['a', 'b', '[ab]', '\\s'])}` : needle;
      const compiled = compileQuery(query(pattern, { regex, ignoreCase: rnd() < 0.5 }));
      for (let t = 0; t < 5; t++) {
        const text = word(12);
        if (!compiled.find(text)) continue;
        checked++;
        for (const line of [
          JSON.stringify({ type: 'reflection', step: 1, t: 'x', kind: 'think', text }),
          `{"type":"reflection","step":1,"t":"x","kind":"think","text":${foreignJson(text)}}`,
        ])
          assert.ok(
            compiled.mayMatchLine(line),
            `${JSON.stringify(pattern)} (${compiled.query.ignoreCase ? 'i' : ''}) matches ${JSON.stringify(text)} but the line ${line} was passed over`,
          );
      }
    }
    assert.ok(checked > 1000, `only ${checked} matches checked`);
    // And it does pass lines over: that is the point of it.
    const q = compileQuery(query('DSCOVR'));
    assert.equal(q.mayMatchLine(JSON.stringify({ type: 'reflection', text: 'Falcon 9' })), false);
    assert.equal(compileQuery(query('dscovr', { ignoreCase: true })).mayMatchLine(JSON.stringify({ text: 'the DSCOVR probe' })), true);
    assert.equal(jsonEscaped('a"b\\c\n'), 'a\\"b\\\\c\\n');
  });

  it('refuses a query that cannot run, in one sentence', () => {
    assert.throws(() => compileQuery(query('')), /the text to find is empty/);
    assert.throws(
      () => compileQuery(query('(a', { regex: true })),
      (e: Error) => e instanceof FindQueryError && /^the pattern is not a regular expression \(unterminated group\)$/.test(e.message),
    );
    assert.throws(() => compileQuery(query('x'.repeat(1001))), /1001 characters long, more than the 1000/);
    assert.throws(() => parseFields(['reasoning,thoughts']), /unknown field "thoughts"; use reasoning, reflection, query, evidence, answer/);
    assert.deepEqual(parseFields(['answer, query', 'answer']), ['query', 'answer']);
    // A literal with a regular expression's characters is only text.
    assert.deepEqual(compileQuery(query('a.b (c)')).find('xa.b (c) and a.b (c)'), { start: 1, end: 8, count: 2 });
    assert.equal(compileQuery(query('a.b')).find('axb'), undefined);
  });

  it('counts the matches of a text, empty ones too, without looping', () => {
    assert.deepEqual(compileQuery(query('x*', { regex: true })).find('ab'), { start: 0, end: 0, count: 3 });
    assert.deepEqual(compileQuery(query('🚀?', { regex: true })).find('🚀🚀'), { start: 0, end: 2, count: 3 });
    assert.equal(compileQuery(query('a')).find('a'.repeat(5000))!.count, 1000);
    assert.deepEqual(compileQuery(query('é', { ignoreCase: true })).find('cafÉ'), { start: 3, end: 4, count: 1 });
  });

  it('shows a match with some text around it, on one line, never cutting a character in two', () => {
    const text = `${'🚀'.repeat(80)}\n\n  the  DSCOVR\tprobe   ${'🌍'.repeat(80)}`;
    const at = text.indexOf('DSCOVR');
    const c = matchContext(text, { start: at, end: at + 6 });
    assert.equal(c.match, 'DSCOVR');
    assert.match(c.before, /^…(🚀)+ the $/u);
    assert.match(c.after, /^ probe (🌍)+…$/u);
    for (const part of [c.before, c.after]) assert.doesNotMatch(part, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    assert.deepEqual(matchContext('  short one ', { start: 2, end: 7 }), { before: '', match: 'short', after: ' one' });
    assert.equal(matchContext('x'.repeat(500), { start: 0, end: 500 }).match, `${'x'.repeat(160)}…`);
  });

  it('finds each text once, as the field it is: an answer not twice, corrections as corrections, raw turns never', () => {
    const lines = [
      { type: 'header', schema: 1, id: 't1', sampleId: 'q07', dataset: 'fvqa', question: 'Which probe?' },
      { type: 'model_turn', step: 1, t: 'x', id: 'e1', raw: '<think>The probe is DSCOVR</think><text_search>DSCOVR orbit</text_search>', ms: 1 },
      { type: 'reflection', step: 1, t: 'x', id: 'e2', kind: 'think', text: 'The probe is DSCOVR' },
      { type: 'action', step: 1, t: 'x', id: 'e3', action: { kind: 'text_search', query: 'DSCOVR orbit' } },
      {
        type: 'observation',
        step: 1,
        t: 'x',
        id: 'e4',
        tool: 'text_search',
        ms: 1,
        results: [
          { rank: 1, title: 'DSCOVR', url: 'https://x', snippet: 'about DSCOVR', summary: 'no match here', provider: 'p' },
          { rank: 2, title: 'Other', url: 'https://y', snippet: 'nothing', provider: 'p' },
        ],
      },
      { type: 'reflection', step: 2, t: 'x', id: 'e5', kind: 'reflect', text: 'It is at L1, per the evidence' },
      { type: 'action', step: 2, t: 'x', id: 'e6', action: { kind: 'answer', text: 'DSCOVR at L1' } },
      { type: 'final', step: 2, t: 'x', id: 'e7', answer: 'DSCOVR at L1', stopReason: 'answered', turns: 2, ms: 1 },
      { type: 'annotation', step: 0, t: 'x', id: 'a1', edit: { op: 'set_text', target: 'e3', text: 'DSCOVR Lagrange point' } },
      { type: 'annotation', step: 0, t: 'x', id: 'a2', edit: { op: 'set_text', target: 'e5', text: 'DSCOVR sits at L1' } },
      { type: 'annotation', step: 0, t: 'x', id: 'a3', edit: { op: 'insert_reflection', target: 2, kind: 'reflect', text: 'Check DSCOVR again' } },
      'not json, DSCOVR',
    ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    const run = (q: FindQuery) => {
      const m = new TrajectoryMatcher(compileQuery(q));
      const out: FoundMatch[] = [];
      lines.forEach((l, i) => out.push(...m.line(l, i + 1)));
      // What a second read gives: the corrected event that did not match.
      lines.forEach((l, i) => {
        if (m.unresolved.some((p) => l.includes(`"${p.target}"`))) out.push(...m.resolve(l, i + 1));
      });
      return { m, out };
    };
    const { m, out } = run(query('DSCOVR'));
    assert.deepEqual(m.info, { id: 't1', sample: 'q07', dataset: 'fvqa', question: 'Which probe?' });
    assert.deepEqual(
      out.map((f) => [f.line, f.step, f.field, f.part ?? '', f.rank ?? '', f.event, f.correction ? 'corrected' : '']),
      [
        [3, 1, 'reasoning', 'think', '', 'e2', ''],
        [4, 1, 'query', '', '', 'e3', ''],
        [5, 1, 'evidence', 'title', 1, 'e4', ''],
        [5, 1, 'evidence', 'snippet', 1, 'e4', ''],
        [7, 2, 'answer', '', '', 'e6', ''],
        [9, 1, 'query', '', '', 'a1', 'corrected'],
        [11, 2, 'reflection', 'reflect', '', 'a3', 'corrected'],
        [10, 2, 'reflection', 'reflect', '', 'a2', 'corrected'],
      ],
    );
    assert.equal(m.unreadable, 1, 'the line that is not JSON');
    // A final answer that differs from its action's is found as the answer too.
    const changed = lines.map((l) => l.replace('"answer":"DSCOVR at L1"', '"answer":"DSCOVR at L2"'));
    const m2 = new TrajectoryMatcher(compileQuery(query('L2', { fields: ['answer'] })));
    assert.deepEqual(
      changed.flatMap((l, i) => m2.line(l, i + 1)).map((f) => [f.line, f.event]),
      [[8, 'e7']],
    );
    // Only the fields asked for.
    assert.deepEqual(
      run(query('L1', { fields: ['reflection'] })).out.map((f) => [f.event, f.field]),
      [
        ['e5', 'reflection'],
        ['a2', 'reflection'],
      ],
    );
  });
});
