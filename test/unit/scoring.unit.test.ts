import { strict as assert } from 'node:assert';
import { exactMatch, f1Score, normalizeAnswer, scoreAnswer } from '../../src/core/scoring';

describe('scoring', () => {
  it('normalises like Search-R1 / SQuAD: case, punctuation, articles, spaces', () => {
    assert.equal(normalizeAnswer('  The Chandra X-ray Observatory! '), 'chandra x ray observatory');
    assert.equal(normalizeAnswer('Sun–Earth L1'), 'sun earth l1');
  });
  it('takes the best over gold aliases', () => {
    assert.equal(exactMatch('chandra', ['Chandra X-ray Observatory', 'Chandra']), 1);
    assert.equal(exactMatch('Hubble', ['Chandra']), 0);
    // 'chandra telescope' vs 'chandra x ray observatory': P = 1/2, R = 1/4, F1 = 1/3
    assert.ok(Math.abs(f1Score('the Chandra telescope', ['Chandra X-ray Observatory']) - 1 / 3) < 1e-9);
    assert.deepEqual(scoreAnswer('About 5,500', ['5,500', 'about 5,500']), { exactMatch: 1, f1: 1 });
    assert.equal(f1Score('', ['x']), 0);
  });
});
