// A bound on the requests in flight to a model endpoint (a benchmark's --concurrency): a
// request takes a slot, waiting first-come first-served while all are taken, and gives it
// back when it ends. Kept apart from the samples running, so a sample's local work (its
// image, its folder, its searches) overlaps other samples' model turns instead of idling
// a slot.

export class Slots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];
  /** The most requests that held a slot at once. */
  peak = 0;
  /** Called each time a slot is given back (after it went to the next request waiting, if any). */
  onRelease: (() => void) | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`slots must be a whole number above 0; got ${size}`);
  }

  /** Requests holding a slot. */
  get busy(): number {
    return this.inUse;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot (waiting while all are taken); the function returned gives it back, once. Rejects when `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.inUse < this.size && !this.waiting.length) this.take();
    else
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.waiting.indexOf(grant);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortError(signal!));
        };
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          this.take();
          resolve();
        };
        this.waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      this.waiting.shift()?.();
      this.onRelease?.();
    };
  }

  private take(): void {
    this.inUse++;
    if (this.inUse > this.peak) this.peak = this.inUse;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('cancelled while waiting for a free request slot');
  e.name = 'AbortError';
  return e;
}
