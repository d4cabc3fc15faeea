// The annotations made in an open trajectory editor, in the order VS Code's undo stack holds
// them, and what saving must append so the file says the same: the net change between the
// last save and now. An edit undone before a save writes nothing; an edit undone after one
// writes a `revert`; a box moved ten times writes its last position only. The file is
// append-only, so an annotation taken back on disk is never "un-reverted": redoing it
// appends a fresh copy, which keeps the order annotations apply in (annotations.ts).
import type { AnnotationEvent, Edit } from '../core/trajectory';

/** One line to append, and what it does to this stack's bookkeeping once written. */
type Planned = { kind: 'append'; stackId: string; event: AnnotationEvent } | { kind: 'revert'; stackId: string; event: AnnotationEvent };

/**
 * Annotations that decide the same thing: of two with one key, the later wins whatever the
 * earlier said, so an earlier one not yet on disk need not be written.
 */
function supersedeKey(edit: Edit): string | undefined {
  switch (edit.op) {
    case 'set_box':
    case 'set_text':
      return `${edit.op}:${edit.target}`;
    case 'label':
      return 'label';
    case 'drop_step':
    case 'restore_step':
      return `step:${edit.target}`;
    case 'insert_reflection':
    case 'revert':
      return undefined;
  }
}

export class EditStack {
  /** In effect now, oldest first. */
  private current: AnnotationEvent[];
  /** The stack when last saved (what Revert goes back to, as VS Code's undo stack does). */
  private savedStack: AnnotationEvent[] = [];
  /** Stack annotations in effect on disk: stack id → the id written (a redo after a revert writes a copy). */
  private readonly disk = new Map<string, string>();
  /** Every id this stack has written, so a copy never reuses one. */
  private readonly written = new Set<string>();
  private plan: Planned[] | undefined;

  /** `restored`: annotations of a hot-exit backup, not on disk and not undoable. */
  constructor(restored: readonly AnnotationEvent[] = []) {
    this.current = [...restored];
  }

  get annotations(): readonly AnnotationEvent[] {
    return this.current;
  }

  has(id: string): boolean {
    return this.written.has(id) || this.current.some((a) => a.id === id) || this.savedStack.some((a) => a.id === id);
  }

  push(annotation: AnnotationEvent): void {
    this.current.push(annotation);
    this.plan = undefined;
  }

  /**
   * VS Code's undo of `id`, usually the newest. It can be an older one: an undo that reached
   * VS Code before the newest edit's undo entry did undoes the one below it, and from then on
   * VS Code counts `id` as undone and the newer edit as in effect (and, that entry pushed after
   * the undo, has nothing to redo). This stack follows VS Code, so the two never disagree about
   * what a save writes.
   */
  undo(id: string): boolean {
    const at = this.current.findIndex((a) => a.id === id);
    if (at === -1) return false;
    this.current.splice(at, 1);
    this.plan = undefined;
    return true;
  }

  redo(annotation: AnnotationEvent): void {
    if (this.current.some((a) => a.id === annotation.id)) return;
    this.push(annotation);
  }

  /** What saving appends, in order: reverts of what is on disk but undone (newest first), then what is new. */
  net(): AnnotationEvent[] {
    return this.planned().map((p) => p.event);
  }

  get isDirty(): boolean {
    return this.planned().length > 0;
  }

  private planned(): Planned[] {
    if (this.plan) return this.plan;
    const now = new Date().toISOString();
    const inEffect = new Set(this.current.map((a) => a.id));
    const plan: Planned[] = [];
    for (const [stackId, diskId] of [...this.disk].reverse()) {
      if (inEffect.has(stackId)) continue;
      const undone = this.savedStack.find((a) => a.id === stackId);
      plan.push({
        kind: 'revert',
        stackId,
        event: { type: 'annotation', step: undone?.step ?? 0, t: now, id: `${diskId}-x`, edit: { op: 'revert', target: diskId } },
      });
    }
    const last = new Map<string, number>();
    this.current.forEach((a, i) => {
      const key = supersedeKey(a.edit);
      if (key) last.set(key, i);
    });
    // Where each stack annotation is (or will be) on disk, for edits that point at one (a reworded inserted reflection).
    const diskIds = new Map(this.disk);
    this.current.forEach((a, i) => {
      const id = a.id!;
      if (this.disk.has(id)) return;
      const key = supersedeKey(a.edit);
      if (key && last.get(key) !== i) return;
      const diskId = this.written.has(id) ? this.freshId(id) : id;
      diskIds.set(id, diskId);
      const edit = a.edit;
      const target = 'target' in edit && typeof edit.target === 'string' ? diskIds.get(edit.target) : undefined;
      const event = diskId === id && target === undefined ? a : { ...a, id: diskId, ...(target !== undefined ? { edit: { ...edit, target } as Edit } : {}) };
      plan.push({ kind: 'append', stackId: id, event });
    });
    this.plan = plan;
    return plan;
  }

  private freshId(id: string): string {
    for (let n = 2; ; n++) if (!this.written.has(`${id}-${n}`)) return `${id}-${n}`;
  }

  /** `net()` is on disk now. */
  markSaved(): void {
    for (const p of this.planned()) {
      this.written.add(p.event.id!);
      if (p.kind === 'append') this.disk.set(p.stackId, p.event.id!);
      else this.disk.delete(p.stackId);
    }
    this.savedStack = [...this.current];
    this.plan = undefined;
  }

  /** Back to the last save (VS Code moves its undo stack there too). */
  revert(): void {
    this.current = [...this.savedStack];
    this.plan = undefined;
  }
}
