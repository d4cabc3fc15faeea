// Annotating a copy of a run the way the editor and `gog label` do: events appended to its file.
import type { Edit, Label } from '../../src/core/trajectory';
import { appendAnnotation } from '../../src/run/annotate';

export async function annotate(trajectory: string, ...edits: Edit[]): Promise<void> {
  for (const edit of edits) await appendAnnotation(trajectory, edit, 'test');
}

export const label = (l: Label, note?: string): Edit => ({ op: 'label', label: l, ...(note ? { note } : {}) });
