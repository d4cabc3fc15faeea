// The images a trajectory record names, by their paths in its run folder: what a page of it
// shows, and so what a host must check and serve before showing it (runAssets.ts checks them).
import type { TrajectoryEvent, TrajectoryHeader } from './trajectory';

/** Every image the panel would show for this record, in the order it shows them. */
export function referencedAssets(header: TrajectoryHeader | undefined, events: readonly TrajectoryEvent[]): string[] {
  const out = new Set<string>();
  if (header) out.add(header.image.sent.path ?? header.image.path);
  for (const e of events) {
    if (e.type === 'action' && e.action.kind === 'image_search' && e.action.crop) out.add(e.action.crop);
    if (e.type === 'observation') for (const r of e.results) if (r.thumbnail) out.add(r.thumbnail);
  }
  return [...out];
}
