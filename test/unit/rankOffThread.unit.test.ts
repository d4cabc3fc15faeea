// The image matcher's ranking on its worker thread: the same scores as on this thread, for
// real photographs and a crop of one, and every search answered when many run at once.
import { strict as assert } from 'node:assert';
import sharp from 'sharp';
import { rankBySimilarity, signatureOf, type ImageSignature } from '../../src/search/imageMatch';
import { rankingThread, rankOffThread } from '../../src/search/rankOffThread';
import { photo, PHOTOS } from '../helpers/fixtures';

describe('image ranking off the main thread', function () {
  this.timeout(60_000);

  it('ranks on a worker thread with exactly the scores of this thread, many searches at once', async () => {
    const candidates: { item: number; signature: ImageSignature }[] = [];
    for (const [i, p] of PHOTOS.entries()) candidates.push({ item: i, signature: await signatureOf(await sharp(photo(p)).toBuffer()) });
    const first = await sharp(photo(PHOTOS[0])).toBuffer();
    const { width, height } = await sharp(first).metadata();
    const crop = await sharp(first)
      .extract({ left: Math.round(width / 4), top: Math.round(height / 4), width: Math.round(width / 2), height: Math.round(height / 2) })
      .toBuffer();
    const queries = [await signatureOf(crop), ...candidates.slice(0, 3).map((c) => c.signature)];
    const expected = queries.map((q) => rankBySimilarity(q, candidates));
    const got = await Promise.all(Array.from({ length: 24 }, (_, i) => rankOffThread(queries[i % queries.length]!, candidates)));
    assert.equal(rankingThread(), 'worker');
    got.forEach((ranked, i) => assert.deepEqual(ranked, expected[i % queries.length]));
    assert.equal(got[0]![0]!.item, 0, 'the crop finds its photograph first');
  });
});
