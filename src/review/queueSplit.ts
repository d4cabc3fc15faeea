// Splitting a queue among annotators (issue 19, item 4): every sample goes to one annotator,
// and a stated share of them (the overlap) to two, so their agreement can be measured. Which
// samples overlap comes from a seeded shuffle: the same files, annotators, overlap and seed
// always give the same queues. Each sample goes to the annotators with the fewest samples so
// far (ties taken in turn), so the queues are as even as they can be and the overlapped
// samples spread over every pair. Pure: the command reads and writes the files.

/** A name that is also a file name: letters and digits, then also `.`, `_`, `-`. */
export const ANNOTATOR_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u;
export const MAX_ANNOTATORS = 100;

export interface QueueSplit {
  /** Each annotator's samples, in the order given. */
  queues: Map<string, string[]>;
  /** Samples given to two annotators: round(overlap × samples). */
  overlapped: number;
}

/** A small seeded generator (mulberry32): the split must not depend on Math.random. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function splitQueue(samples: readonly string[], annotators: readonly string[], overlap: number, seed: number): QueueSplit {
  if (annotators.length < 2) throw new Error('a split needs two or more annotators');
  if (!(overlap >= 0 && overlap <= 1)) throw new Error('the overlap is a share from 0 to 1');
  const random = seeded(seed);
  const order = samples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const overlapped = Math.round(overlap * samples.length);
  const load = annotators.map(() => 0);
  const given = annotators.map(() => new Set<number>());
  order.forEach((sample, k) => {
    const copies = k < overlapped ? 2 : 1;
    // Fewest samples first; among equals, the one whose turn it is (k rotates the start).
    const m = annotators.length;
    const turn = (a: number) => (((a - k) % m) + m) % m;
    const chosen = annotators
      .map((_, a) => a)
      .sort((x, y) => load[x]! - load[y]! || turn(x) - turn(y))
      .slice(0, copies);
    for (const a of chosen) {
      load[a]!++;
      given[a]!.add(sample);
    }
  });
  const queues = new Map<string, string[]>();
  annotators.forEach((name, a) =>
    queues.set(
      name,
      samples.filter((_, i) => given[a]!.has(i)),
    ),
  );
  return { queues, overlapped };
}
