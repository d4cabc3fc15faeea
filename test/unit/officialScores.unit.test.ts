// Each benchmark's own measure, held to the values the peer's own evaluation code computes
// (test/fixtures/scoring/PROVENANCE.md says how they were made).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exactMatch, f1Score } from '../../src/core/scoring';
import { pyRound, pySplit, pyStr } from '../../src/core/pythonText';
import { officialSummary, type JudgeGrade } from '../../src/data/scoring/metrics';
import { officialScore } from '../../src/data/scoring/official';
import { infoSeekScore, infoSeekSummary, type InfoSeekQuestionType } from '../../src/data/scoring/infoseek';
import { dynVqaTokenRecall, type DynVqaLanguage } from '../../src/data/scoring/tokenRecall';
import { ROOT } from '../helpers/fixtures';

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'scoring', name), 'utf8')) as T;
}

interface GoldCase {
  prediction: string;
  golds: string[];
  expected: number;
}

describe('official measures, to the digit of the peers’ own code', () => {
  it('FVQA / MMSearch-R1: Search-R1 exact match (Python’s whitespace: \\x1c–\\x1f split, U+FEFF does not)', () => {
    const { cases } = fixture<{ cases: GoldCase[] }>('exact-match.json');
    assert.ok(cases.length >= 30);
    for (const c of cases) assert.equal(exactMatch(c.prediction, c.golds), c.expected, JSON.stringify(c));
  });

  it('MMSearch: token F1, the best over the gold answer and its alternatives', () => {
    const { cases } = fixture<{ cases: GoldCase[] }>('mmsearch-f1.json');
    assert.ok(cases.length >= 30);
    for (const c of cases) assert.ok(Math.abs(f1Score(c.prediction, c.golds) - c.expected) < 1e-12, JSON.stringify(c));
  });

  it('DynVQA: OmniSearch’s token recall, English (Punkt + Treebank) and Chinese (jieba)', () => {
    const { cases } = fixture<{ cases: { language: DynVqaLanguage; prediction: string; golds: unknown[]; expected: number; note: string }[] }>(
      'dynvqa-token-recall.json',
    );
    assert.ok(cases.filter((c) => c.note === 'hand').length >= 30);
    for (const c of cases) {
      const got = dynVqaTokenRecall(c.prediction, c.golds, c.language);
      assert.ok(Math.abs(got - c.expected) < 1e-12, `${JSON.stringify(c)}: got ${got}`);
    }
    // The example: exact match gives it 0.
    assert.equal(dynVqaTokenRecall('In 1969', [1969, '1969年'], 'en'), 1);
    assert.equal(exactMatch('In 1969', ['1969', '1969年']), 0);
  });

  it('InfoSeek: numbers in range, time and entities by exact match, the harmonic mean of the two splits', () => {
    const { cases, summaries } = fixture<{
      cases: { type: InfoSeekQuestionType; prediction: string; answers: string[]; expected: number }[];
      summaries: { rows: { score: number; split: 'unseen_question' | 'unseen_entity' }[]; final: number; unseenQuestion: number; unseenEntity: number }[];
    }>('infoseek.json');
    assert.ok(cases.length >= 30);
    for (const c of cases)
      assert.equal(infoSeekScore(c.prediction, { type: c.type, answers: c.answers, split: 'unseen_entity' }), c.expected, JSON.stringify(c));
    for (const s of summaries) {
      const got = infoSeekSummary(s.rows);
      assert.deepEqual([got.final, got.unseenQuestion.score, got.unseenEntity.score], [s.final, s.unseenQuestion, s.unseenEntity]);
    }
    // The examples: "1.05" is in [0.9, 1.1]; "10" for 1.0 is not.
    assert.equal(infoSeekScore('1.05', { type: 'numerical', answers: ['0.9', '1.1'], split: 'unseen_question' }), 1);
    assert.equal(infoSeekScore('10', { type: 'numerical', answers: ['0.9', '1.1'], split: 'unseen_question' }), 0);
  });

  it('SimpleVQA / LiveVQA: the judge’s three grades aggregated as SimpleQA (correct, not attempted, correct given attempted, F-score)', () => {
    const { cases } = fixture<{
      cases: { grades: JudgeGrade[]; correct: number; incorrect: number; notAttempted: number; correctGivenAttempted: number; fScore: number }[];
    }>('simpleqa.json');
    assert.ok(cases.length >= 30);
    for (const c of cases) {
      const s = officialSummary(c.grades.map((grade) => ({ ...officialScore({ scorer: 'judge' }, 'x', ['y'], grade), grade })));
      assert.equal(s?.metric, 'judge');
      assert.equal(s?.score, c.correct);
      for (const k of ['correct', 'incorrect', 'notAttempted', 'correctGivenAttempted', 'fScore'] as const)
        assert.ok(Math.abs(s.judge![k] - c[k]) < 1e-12, `${k}: ${s.judge![k]} vs ${c[k]} for ${c.grades.join(',')}`);
    }
    // SimpleVQA's own script rounds the shares to four decimals first.
    const { cases: sv } = fixture<{
      cases: { grades: JudgeGrade[]; correct: number; incorrect: number; notAttempted: number; correctGivenAttempted: number; fScore: number }[];
    }>('simplevqa.json');
    assert.ok(sv.length >= 30);
    for (const c of sv) {
      const s = officialSummary(
        c.grades.map((grade) => ({ ...officialScore({ scorer: 'judge' }, 'x', ['y'], grade), grade })),
        { benchmark: 'simplevqa' },
      );
      for (const k of ['correct', 'incorrect', 'notAttempted', 'correctGivenAttempted', 'fScore'] as const)
        assert.equal(s!.judge![k], c[k], `${k} for ${c.grades.join(',')}`);
    }
    // Without a judge: exact match, named as such, and the summary says what is missing.
    const fallback = officialSummary([officialScore({ scorer: 'judge' }, 'Paris', ['paris'])]);
    assert.deepEqual([fallback?.metric, fallback?.score], ['exact-match (no judge)', 1]);
    assert.match(fallback?.note ?? '', /needs an LLM judge/);
  });

  it('MMSearch: the samples its agents cannot run count as 0 in the headline, and the figure over those run is kept', () => {
    const rows = [1, 0.5, 0].map((score) => ({ metric: 'f1' as const, score }));
    const s = officialSummary(rows, { notRun: 2 });
    assert.deepEqual(s, { metric: 'f1', score: 1.5 / 5, samples: 5, run: { samples: 3, score: 0.5 } });
  });

  it('Python text semantics: split, str() of JSON values, round() (ties to even on the exact binary value)', () => {
    // Python 3.11: [round(x, d) for x, d in [(0.125, 2), (0.375, 2), (0.135, 2), (2.675, 2), (1.00005, 4), (0.00015, 4), (66.665, 2)]]
    const cases: [number, number, number][] = [
      [0.125, 2, 0.12],
      [0.375, 2, 0.38],
      [0.135, 2, 0.14],
      [2.675, 2, 2.67],
      [1.00005, 4, 1.0001],
      [0.00015, 4, 0.0001],
      [66.665, 2, 66.67],
    ];
    for (const [x, d, want] of cases) assert.equal(pyRound(x, d), want, `round(${x}, ${d})`);
    assert.deepEqual(pySplit('a\x1cb\x1dc\x1ed\x1fe\x85f\ufeffg'), ['a', 'b', 'c', 'd', 'e', 'f\ufeffg']);
    assert.equal(
      pyStr(['梅西', "it's", 'say "hi"', 1969, 15.49, 1e-5, 1e16, null, true, [1, 'a']]),
      `['梅西', "it's", 'say "hi"', 1969, 15.49, 1e-05, 1e+16, None, True, [1, 'a']]`,
    );
  });
});
