// Labelling what a review queue's filter shows, all at once ("accept every right answer with
// no corrections"), and taking it back. Only trajectories without a verdict are labelled: a
// verdict someone gave is never replaced in bulk. What a batch wrote is kept (file and the id
// of each label line), so Undo appends a `revert` of exactly those lines: the files stay
// append-only, and a label given by hand since is not touched.
import type { QueueEntry } from './queueIndex';

/** Of the shown trajectories: those a bulk label would label, and how many already have a verdict. */
export function planBulkLabel<T extends { entry: Pick<QueueEntry, 'label'> }>(shown: readonly T[]): { targets: T[]; alreadyLabelled: number } {
  const targets = shown.filter((s) => s.entry.label === undefined);
  return { targets, alreadyLabelled: shown.length - targets.length };
}

/** One label line a batch wrote. */
export interface BulkWritten {
  file: string;
  id: string;
}

/** A batch, for Undo: who wrote it, the verdict, and each line written. */
export interface BulkBatch {
  annotator: string;
  label: string;
  written: BulkWritten[];
}

/** "1 trajectory", "2,500 trajectories". */
export function trajectories(k: number): string {
  return `${k.toLocaleString('en')} ${k === 1 ? 'trajectory' : 'trajectories'}`;
}

/** The confirmation's words: what will be labelled, and what is left alone. */
export function describeBulkLabel(label: string, targets: number, alreadyLabelled: number): string {
  const n = (k: number, what: string) => `${k.toLocaleString('en')} ${what} ${k === 1 ? 'trajectory' : 'trajectories'}`;
  const one = alreadyLabelled === 1;
  const left = alreadyLabelled
    ? ` ${n(alreadyLabelled, 'shown')} already ${one ? 'has' : 'have'} a verdict and ${one ? 'is' : 'are'} left as ${one ? 'it is' : 'they are'}.`
    : '';
  return `Label ${n(targets, 'unreviewed')} ${label}?${left} Undo Label All Shown takes it back.`;
}
