import { strict as assert } from 'node:assert';
import { exactMatch, f1Score, normalizeAnswer, scoreAnswer } from '../../src/core/scoring';

describe('scoring', () => {
  it("normalises as Search-R1's normalize_answer does: case, ASCII punctuation deleted, articles, spaces", () => {
    // Worked by hand from the Python: lower → delete string.punctuation → \b(a|an|the)\b → " " → " ".join(split()).
    assert.equal(normalizeAnswer('  The Chandra X-ray Observatory! '), 'chandra xray observatory');
    assert.equal(normalizeAnswer('U.S.A.'), 'usa');
    assert.equal(normalizeAnswer("An apple a day, theatre's the thing"), 'apple day theatres thing');
    // An en dash is not in string.punctuation: it stays, as it does for the peers.
    assert.equal(normalizeAnswer('Sun–Earth L1'), 'sun–earth l1');
    // Article removal needs word boundaries in Unicode terms: "éthe" keeps its "the".
    assert.equal(normalizeAnswer('éthe a'), 'éthe');
    assert.equal(normalizeAnswer('北京'), '北京');
  });
  it('takes the best over gold aliases', () => {
    assert.equal(exactMatch('chandra', ['Chandra X-ray Observatory', 'Chandra']), 1);
    assert.equal(exactMatch('Hubble', ['Chandra']), 0);
    assert.equal(exactMatch('xray', ['X-ray']), 1);
    // 'chandra telescope' vs 'chandra xray observatory': P = 1/2, R = 1/3, F1 = 2·(1/6)/(5/6) = 0.4
    assert.ok(Math.abs(f1Score('the Chandra telescope', ['Chandra X-ray Observatory']) - 0.4) < 1e-9);
    // best alias: 'chandra' alone gives P = 1/2, R = 1 → 2/3
    assert.ok(Math.abs(f1Score('the Chandra telescope', ['Chandra X-ray Observatory', 'Chandra']) - 2 / 3) < 1e-9);
    assert.deepEqual(scoreAnswer('About 5,500', ['5,500', 'about 5,500']), { exactMatch: 1, f1: 1 });
    assert.equal(f1Score('', ['x']), 0);
  });
});
