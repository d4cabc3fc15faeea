// A minimal typed publish/subscribe channel: the agent publishes, faces subscribe.

export type Listener<T> = (value: T) => void;

export class EventStream<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Returns a function that unsubscribes. */
  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener; a throwing listener cannot break the run or the others. */
  publish(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // A subscriber's failure is its own; the record is already written.
      }
    }
  }
}
