// Box arithmetic of the box editor: inside the image, never under the searchable size, whole pixels.
import { strict as assert } from 'node:assert';
import { correctedBox } from '../../src/core/annotations';
import { MIN_BOX_SIDE_SENT } from '../../src/core/geometry';
import { drawnBox, fit, limitsFor, moveBox, nudge, resizeBox, type Box } from '../../webview/boxMath';
import { sampleHeader } from '../helpers/trajectories';

describe('box editing arithmetic', () => {
  // A 4000×3000 photo sent at 1000×750: the smallest searchable side, in original pixels, is 4× the sent one.
  const l = limitsFor({ width: 4000, height: 3000 }, { width: 1000, height: 750 }, MIN_BOX_SIDE_SENT);
  const header = sampleHeader({
    image: { ...sampleHeader().image, width: 4000, height: 3000, oriented: { width: 4000, height: 3000 }, sent: { width: 1000, height: 750 } },
  });
  const accepted = (b: Box) => correctedBox(header, b).ok;

  it('scales the smallest side to original pixels, and every smallest box is one the record accepts', () => {
    assert.equal(l.minWidth, Math.ceil(MIN_BOX_SIDE_SENT * 4));
    assert.ok(accepted([0, 0, l.minWidth, l.minHeight]));
    assert.ok(!accepted([0, 0, l.minWidth - 4, l.minHeight]));
  });

  it('moves a box, stopping it at the edges with its size kept', () => {
    assert.deepEqual(moveBox([100, 100, 300, 200], 50.4, -20.6, l), [150, 79, 350, 179]);
    assert.deepEqual(moveBox([100, 100, 300, 200], -500, 9000, l), [0, 2900, 200, 3000]);
  });

  it('resizes by a handle down to the smallest side, and not past the image', () => {
    assert.deepEqual(resizeBox([100, 100, 300, 200], 'se', 50, 25, l), [100, 100, 350, 225]);
    const shrunk = resizeBox([100, 100, 300, 200], 'w', 1000, 0, l);
    assert.equal(shrunk[2] - shrunk[0], l.minWidth);
    assert.ok(accepted(shrunk));
    assert.deepEqual(resizeBox([100, 100, 300, 200], 'nw', -1000, -1000, l), [0, 0, 300, 200]);
  });

  it('draws a box corner to corner, any direction; a click-sized one is no box', () => {
    assert.deepEqual(drawnBox({ x: 500.2, y: 400 }, { x: 100, y: 99.6 }, l), [100, 100, 500, 400]);
    assert.equal(drawnBox({ x: 10, y: 10 }, { x: 12, y: 13 }, l), undefined);
    assert.deepEqual(drawnBox({ x: 3900, y: 2900 }, { x: 4500, y: 3500 }, l), [3900, 2900, 4000, 3000]);
  });

  it('nudges by half a percent (Alt: five), Shift moving the right or bottom edge', () => {
    assert.deepEqual(nudge([100, 100, 300, 200], 'ArrowRight', false, false, l), [120, 100, 320, 200]);
    assert.deepEqual(nudge([100, 100, 300, 200], 'ArrowUp', false, true, l), [100, 0, 300, 100]);
    assert.deepEqual(nudge([100, 100, 300, 200], 'ArrowDown', true, false, l), [100, 100, 300, 215]);
    assert.deepEqual(nudge([100, 100, 300, 200], 'ArrowLeft', true, true, l), [100, 100, 100 + l.minWidth, 200]);
  });

  it('fits any box to whole pixels inside the image, at least the smallest size', () => {
    // Too far right and down: moved in, its size kept; too small: grown to the smallest.
    assert.deepEqual(fit([3990.6, 2995, 4100, 3100], l), [3891, 2895, 4000, 3000]);
    assert.deepEqual(fit([3999, 2999, 4000, 3000], l), [4000 - l.minWidth, 3000 - l.minHeight, 4000, 3000]);
    assert.deepEqual(fit([300, 200, 100.4, 100], l), [100, 100, 300, 200]);
  });
});
