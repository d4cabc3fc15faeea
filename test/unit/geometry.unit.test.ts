import { strict as assert } from 'node:assert';
import { capPixels, DEFAULT_MAX_PIXELS, originalToModel, resolveBox, sentSizeFor, sentToOriginal, smartResize, type Box } from '../../src/core/geometry';

describe('geometry', () => {
  describe('smartResize (Qwen2.5-VL)', () => {
    it('rounds both sides to multiples of 28 within the pixel cap', () => {
      // Worked by hand from Qwen's formula: round(512/28)=18 → 504.
      assert.deepEqual(smartResize({ width: 512, height: 512 }, DEFAULT_MAX_PIXELS), { width: 504, height: 504 });
      // 1000×872: round(35.7)=36 → 1008, round(31.1)=31 → 868; 874,944 px fits.
      assert.deepEqual(smartResize({ width: 1000, height: 872 }, DEFAULT_MAX_PIXELS), { width: 1008, height: 868 });
    });
    it('scales a 12-megapixel photo down under max_pixels with floors', () => {
      // beta = sqrt(12e6 / 1003520) = 3.458; floor(4000/3.458/28)=41 → 1148; floor(3000/3.458/28)=30 → 840.
      const s = smartResize({ width: 4000, height: 3000 }, DEFAULT_MAX_PIXELS);
      assert.deepEqual(s, { width: 1148, height: 840 });
      assert.ok(s.width * s.height <= DEFAULT_MAX_PIXELS);
    });
    it('scales a tiny image up to min_pixels', () => {
      assert.deepEqual(smartResize({ width: 20, height: 20 }, DEFAULT_MAX_PIXELS), { width: 56, height: 56 });
    });
    it('keeps every result a multiple of 28 and under the cap', () => {
      for (let i = 0; i < 500; i++) {
        const w = 1 + Math.floor(Math.random() * 8000);
        const h = 1 + Math.floor(Math.random() * 8000);
        const s = smartResize({ width: w, height: h }, DEFAULT_MAX_PIXELS);
        assert.equal(s.width % 28, 0);
        assert.equal(s.height % 28, 0);
        assert.ok(s.width * s.height <= DEFAULT_MAX_PIXELS, `${w}×${h} → ${s.width}×${s.height}`);
      }
    });
  });

  describe('capPixels', () => {
    it('leaves small images alone and never exceeds the cap', () => {
      assert.deepEqual(capPixels({ width: 640, height: 427 }, DEFAULT_MAX_PIXELS), { width: 640, height: 427 });
      for (const [w, h] of [
        [4000, 3000],
        [20000, 3],
        [3, 20000],
        [1001, 1002],
      ] as const) {
        const s = capPixels({ width: w, height: h }, 10_000);
        assert.ok(s.width * s.height <= 10_000, `${w}×${h} → ${s.width}×${s.height}`);
        assert.ok(s.width >= 1 && s.height >= 1);
      }
    });
    it('is used for relative box formats, smart_resize for pixels-sent', () => {
      assert.deepEqual(sentSizeFor({ width: 512, height: 512 }, 'rel-1000', DEFAULT_MAX_PIXELS), { width: 512, height: 512 });
      assert.deepEqual(sentSizeFor({ width: 512, height: 512 }, 'pixels-sent', DEFAULT_MAX_PIXELS), { width: 504, height: 504 });
    });
  });

  describe('resolveBox', () => {
    const sent = { width: 504, height: 504 };
    const original = { width: 512, height: 512 };

    it('maps pixels-sent boxes to original pixels, rounding outward', () => {
      const r = resolveBox([126, 340, 209, 418], 'pixels-sent', sent, original);
      assert.ok(r.ok);
      assert.deepEqual(r.box.model, [126, 340, 209, 418]);
      assert.deepEqual(r.box.sent, [126, 340, 209, 418]);
      // 126·512/504 = 128.0, 340·512/504 = 345.4 → 345, 209·512/504 = 212.3 → 213, 418·512/504 = 424.6 → 425
      assert.deepEqual(r.box.original, [128, 345, 213, 425]);
    });

    it('maps rel-1000 and rel-1 boxes through the sent size to the original', () => {
      const a = resolveBox([250, 500, 750, 1000], 'rel-1000', { width: 640, height: 427 }, { width: 640, height: 427 });
      assert.ok(a.ok);
      assert.deepEqual(a.box.original, [160, 213, 480, 427]);
      const b = resolveBox([0.25, 0.5, 0.75, 1], 'rel-1', { width: 320, height: 214 }, { width: 640, height: 427 });
      assert.ok(b.ok);
      assert.deepEqual(b.box.sent, [80, 107, 240, 214]);
      assert.deepEqual(b.box.original, [160, 213, 480, 427]);
    });

    it('rejects anything but four finite numbers', () => {
      for (const numbers of [[], [1, 2, 3], [1, 2, 3, 4, 5], [1, 2, NaN, 4], [1, 2, Infinity, 4]]) {
        const r = resolveBox(numbers, 'pixels-sent', sent, original);
        assert.ok(!r.ok, JSON.stringify(numbers));
      }
      const r = resolveBox([1, 2, 3], 'pixels-sent', sent, original);
      assert.ok(!r.ok && /exactly four numbers/.test(r.message));
    });

    it('rejects reversed, empty, outside and too-small boxes instead of clamping them', () => {
      const cases: [number[], RegExp][] = [
        [[200, 100, 100, 200], /reversed/],
        [[100, 100, 100, 200], /reversed or empty/],
        [[-1, 0, 100, 100], /outside/],
        [[0, 0, 505, 100], /outside/],
        [[10, 10, 14, 100], /too small/],
      ];
      for (const [numbers, pattern] of cases) {
        const r = resolveBox(numbers, 'pixels-sent', sent, original);
        assert.ok(!r.ok, JSON.stringify(numbers));
        assert.match(r.message, pattern);
      }
      const rel = resolveBox([0, 0, 1001, 10], 'rel-1000', sent, original);
      assert.ok(!rel.ok && /0–1000/.test(rel.message));
      const rel1 = resolveBox([0, 0, 1.2, 0.5], 'rel-1', sent, original);
      assert.ok(!rel1.ok && /outside/.test(rel1.message));
    });

    it('accepts a box on the exact image edge and keeps the crop inside', () => {
      const r = resolveBox([0, 0, 504, 504], 'pixels-sent', sent, original);
      assert.ok(r.ok);
      assert.deepEqual(r.box.original, [0, 0, 512, 512]);
    });
  });

  it('sentToOriginal gives integer rectangles inside the image for any in-range box', () => {
    const sent = { width: 1148, height: 840 };
    const original = { width: 4000, height: 3000 };
    for (let i = 0; i < 1000; i++) {
      const x1 = Math.random() * 1100,
        y1 = Math.random() * 800;
      const box: Box = [x1, y1, x1 + 8 + Math.random() * (1148 - x1 - 8), y1 + 8 + Math.random() * (840 - y1 - 8)];
      const o = sentToOriginal(box, sent, original);
      assert.ok(o.every(Number.isInteger));
      assert.ok(o[0] >= 0 && o[1] >= 0 && o[2] <= 4000 && o[3] <= 3000 && o[0] < o[2] && o[1] < o[3]);
      // Outward rounding: the crop contains the box.
      assert.ok(o[0] <= (box[0] * 4000) / 1148 + 1e-6 && o[2] >= (box[2] * 4000) / 1148 - 1e-6);
    }
  });

  it('originalToModel inverts the mapping within rounding', () => {
    const sent = { width: 504, height: 504 };
    const original = { width: 512, height: 512 };
    const r = resolveBox([126, 340, 209, 418], 'pixels-sent', sent, original);
    assert.ok(r.ok);
    const back = originalToModel(r.box.original, 'pixels-sent', sent, original);
    back.forEach((v, i) => assert.ok(Math.abs(v - r.box.model[i]!) <= 1, `${back.join()} vs ${r.box.model.join()}`));
  });
});
