// The step an edit is about, as the annotation records it: the step it targets, or the step
// of the event it points at (0 for the whole trajectory). Shared by the host, which records
// it, and the webview, which shows an edit before the host answers.
import type { Edit, TrajectoryEvent } from '../core/trajectory';

export function stepOfEdit(edit: Edit, events: readonly TrajectoryEvent[]): number {
  switch (edit.op) {
    case 'drop_step':
    case 'restore_step':
    case 'insert_reflection':
      return edit.target;
    case 'set_box':
    case 'set_text':
    case 'revert':
      return events.find((e) => e.id === edit.target)?.step ?? 0;
    case 'label':
      return 0;
  }
}
