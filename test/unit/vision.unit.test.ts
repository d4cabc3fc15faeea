import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { resolveBox } from '../../src/core/geometry';
import { cropRaw, ImageError, loadImage, makeThumbnail } from '../../src/vision/image';
import { photo, tempDir } from '../helpers/fixtures';
import { applyOrientation, blackPng, decodeRaw, meanAbsDiff, orientedJpeg, region, type Raw } from '../helpers/images';

const never = new AbortController().signal;

async function expectImageError(input: string | Buffer, code: ImageError['code'], pattern: RegExp): Promise<void> {
  await assert.rejects(loadImage(input, { boxFormat: 'pixels-sent', maxPixels: 1_003_520 }), (e: unknown) => {
    assert.ok(e instanceof ImageError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('vision', () => {
  let upright: Raw;
  before(async () => {
    // A landscape photo, so that a wrong rotation changes the size as well as the pixels.
    upright = await decodeRaw(photo('rocket.jpg'));
  });

  describe('EXIF orientation 1–8 (rocket.jpg stored rotated/mirrored, tagged to display upright)', () => {
    for (let k = 1; k <= 8; k++) {
      it(`orientation ${k}: oriented size, pixels and exact crops`, async () => {
        const jpeg = await orientedJpeg(upright, k);
        const img = await loadImage(jpeg, { boxFormat: 'rel-1000', maxPixels: 50_000_000, prefetch: false });
        assert.equal(img.orientation, k);
        assert.deepEqual(img.oriented, { width: 640, height: 427 });
        assert.deepEqual(img.stored, k >= 5 ? { width: 427, height: 640 } : { width: 640, height: 427 });

        // Exact: the oriented pixels are the decoded stored pixels put through the EXIF
        // mapping written in the test (not sharp's), byte for byte.
        const storedDecode = await decodeRaw(jpeg);
        const expected = applyOrientation(storedDecode, k);
        const px = await img.pixels();
        assert.equal(px.width, expected.width);
        assert.equal(px.height, expected.height);
        assert.ok(px.data.equals(expected.data), 'oriented pixels differ from the EXIF mapping');
        // And they show the upright photo (JPEG quality 100 is nearly lossless).
        assert.ok(meanAbsDiff(px, upright) < 2.5, `mean difference ${meanAbsDiff(px, upright)}`);

        // A gaze box in model space lands on exactly those original pixels.
        const r = resolveBox([250, 300, 560, 900], 'rel-1000', img.sent, img.oriented);
        assert.ok(r.ok);
        assert.deepEqual(r.box.original, [160, 128, 359, 385]);
        const crop = await cropRaw(px, r.box.original, 50_000_000);
        assert.equal(crop.width, 199);
        assert.equal(crop.height, 257);
        assert.ok(crop.data.equals(region(expected, r.box.original).data), 'crop pixels differ');
        // The encoded crop the search sees is that region too.
        const encoded = await img.crop(r.box.original, never);
        assert.equal(encoded.width, 199);
        assert.equal(encoded.height, 257);
        assert.ok(meanAbsDiff(await decodeRaw(encoded.data), region(upright, r.box.original)) < 4);
      });
    }

    it('sends the oriented image: the sent JPEG shows the photo upright', async () => {
      const jpeg = await orientedJpeg(upright, 6);
      const img = await loadImage(jpeg, { boxFormat: 'rel-1000', maxPixels: 1_003_520, prefetch: false });
      assert.deepEqual([img.sent.width, img.sent.height], [640, 427]);
      assert.ok(meanAbsDiff(await decodeRaw(img.sent.data), upright) < 4);
    });
  });

  describe('sizing', () => {
    it('pixels-sent rounds both sides to multiples of 28 and caps the pixels', async () => {
      const img = await loadImage(photo('hubble_deep_field.jpg'), { boxFormat: 'pixels-sent', maxPixels: 1_003_520 });
      assert.deepEqual([img.sent.width, img.sent.height], [1008, 868]);
      const small = await loadImage(photo('hubble_deep_field.jpg'), { boxFormat: 'pixels-sent', maxPixels: 200_000 });
      assert.equal(small.sent.width % 28, 0);
      assert.equal(small.sent.height % 28, 0);
      assert.ok(small.sent.width * small.sent.height <= 200_000);
      const meta = await sharp(small.sent.data).metadata();
      assert.deepEqual([meta.width, meta.height, meta.format], [small.sent.width, small.sent.height, 'jpeg']);
    });

    it('relative formats keep the size unless over the cap', async () => {
      const img = await loadImage(photo('rocket.jpg'), { boxFormat: 'rel-1', maxPixels: 1_003_520 });
      assert.deepEqual([img.sent.width, img.sent.height], [640, 427]);
      const capped = await loadImage(photo('rocket.jpg'), { boxFormat: 'rel-1', maxPixels: 100_000 });
      assert.ok(capped.sent.width * capped.sent.height <= 100_000);
      assert.ok(Math.abs(capped.sent.width / capped.sent.height - 640 / 427) < 0.01);
    });

    it('caps large crops at maxPixels for search and keeps small ones whole', async () => {
      const img = await loadImage(photo('hubble_deep_field.jpg'), { boxFormat: 'rel-1000', maxPixels: 40_000 });
      const big = await img.crop([0, 0, 1000, 872], never);
      assert.ok(big.width * big.height <= 40_000);
      const small = await img.crop([10, 20, 110, 220], never);
      assert.deepEqual([small.width, small.height], [100, 200]);
      await assert.rejects(img.crop([10, 20, 1001, 30], never), /not an integer rectangle inside/);
      await assert.rejects(img.crop([10.5, 20, 100, 30], never), /not an integer rectangle inside/);
    });

    it('makes thumbnails no larger than asked', async () => {
      const t = await makeThumbnail(await fs.readFile(photo('astronaut.png')), 128);
      assert.deepEqual([t.width, t.height], [128, 128]);
    });

    it('records the hash and format of the file as given', async () => {
      const img = await loadImage(photo('astronaut.png'), { boxFormat: 'pixels-sent', maxPixels: 1_003_520 });
      assert.equal(img.format, 'png');
      assert.match(img.sha256, /^[0-9a-f]{64}$/);
      assert.equal(img.bytes.length, (await fs.stat(photo('astronaut.png'))).size);
    });
  });

  describe('bad input gets a clear one-line error', () => {
    const tmp = tempDir();
    after(tmp.cleanup);

    it('refuses a 20000×20000 PNG from its header, before decoding', async () => {
      const bomb = blackPng(20000, 20000);
      assert.ok(bomb.length < 200_000, `bomb is ${bomb.length} bytes`);
      await expectImageError(bomb, 'too_large', /20000×20000 \(400 megapixels\), over the 200-megapixel limit/);
    });

    it('reads a large but allowed 1-bit PNG', async () => {
      const img = await loadImage(blackPng(3000, 2000), { boxFormat: 'rel-1000', maxPixels: 100_000 });
      assert.deepEqual(img.oriented, { width: 3000, height: 2000 });
    });

    it('reports missing files, folders, truncated and corrupt files, and unsupported formats', async () => {
      await expectImageError(path.join(tmp.dir, 'nope.jpg'), 'not_found', /image not found: .*nope\.jpg/);
      await expectImageError(tmp.dir, 'not_found', /is a folder/);
      const rocket = await fs.readFile(photo('rocket.jpg'));
      const truncated = path.join(tmp.dir, 'truncated.jpg');
      await fs.writeFile(truncated, rocket.subarray(0, rocket.length >> 1));
      await expectImageError(truncated, 'unreadable', /truncated\.jpg could not be decoded/);
      const noise = path.join(tmp.dir, 'noise.png');
      await fs.writeFile(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
      await expectImageError(noise, 'unreadable', /noise\.png is not a readable image/);
      const svg = path.join(tmp.dir, 'drawing.svg');
      await fs.writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
      await expectImageError(svg, 'unsupported', /unsupported image format "svg"; use JPEG, PNG/);
    });
  });
});
