// Typed arrays that grow as they are filled, for indexes built from a stream of items
// whose count is not known in advance.

/** A growable typed array. */
export class Grow<T extends Uint32Array | Float32Array | Float64Array | Int8Array | Uint8Array | Uint16Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i]!;
  }
  private grow(atLeast: number): void {
    const bigger = this.make(Math.max(this.data.length * 2, atLeast));
    bigger.set(this.data);
    this.data = bigger;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}
