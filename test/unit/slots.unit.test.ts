// The bound on model requests in flight (a benchmark's --concurrency): never more than its
// size at once, first come first served, a waiter that is cancelled leaves the queue.
import { strict as assert } from 'node:assert';
import { Slots } from '../../src/model/slots';

const tick = () => new Promise((r) => setImmediate(r));

describe('Slots', () => {
  it('holds at most its size, and hands a freed slot to the first waiter', async () => {
    const slots = new Slots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((release) => (order.push('c'), release));
    const d = slots.acquire().then((release) => (order.push('d'), release));
    await tick();
    assert.deepEqual(order, []);
    assert.equal(slots.busy, 2);
    assert.equal(slots.queued, 2);
    b();
    b(); // a second release of the same slot does nothing
    const releaseC = await c;
    await tick();
    assert.deepEqual(order, ['c']);
    assert.equal(slots.busy, 2);
    a();
    const releaseD = await d;
    assert.deepEqual(order, ['c', 'd']);
    releaseC();
    releaseD();
    assert.equal(slots.busy, 0);
    assert.equal(slots.peak, 2);
  });

  it('a waiter whose signal aborts leaves the queue with an AbortError; the slot goes to the next', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const cancelled = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError');
    assert.equal(slots.queued, 1);
    const seen: { busy: number; queued: number }[] = [];
    slots.onRelease = () => seen.push({ busy: slots.busy, queued: slots.queued });
    release();
    const releaseNext = await next;
    assert.deepEqual(seen, [{ busy: 1, queued: 0 }], 'told after the slot went on to the request waiting');
    releaseNext();
    release();
    assert.deepEqual(seen[1], { busy: 0, queued: 0 });
    assert.equal(seen.length, 2, 'a slot is given back once');
    await assert.rejects(slots.acquire(controller.signal), (e: Error) => e.name === 'AbortError');
    assert.equal(slots.busy, 0);
  });

  it('refuses a size that is not a whole number above 0', () => {
    assert.throws(() => new Slots(0), /whole number above 0/);
    assert.throws(() => new Slots(1.5), /whole number above 0/);
  });
});
