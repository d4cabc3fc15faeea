// The annotations made in an open trajectory editor, in the order VS Code's undo stack holds
// them, and what saving must write so the file says the same: the net change between the
// last save and now, whoever saves (Ctrl+S, auto-save, a re-run). An edit undone before a
// save writes nothing; a box moved ten times writes its last position only.
//
// The lines this editor appended itself, at the end of the file with nothing after them,
// are its own "tail": a save may cut them back and write what is in effect now, so undoing
// and redoing with auto-save on leaves the file as long as the edits in effect need, and
// undoing every edit leaves it byte for byte as it was read. Lines that are not the tail's
// (read with the file, appended by another tool, or followed by such lines) are never
// touched: an annotation among them is taken back by a `revert`, and redone as a copy under
// a new id, appended after it, which keeps the order annotations apply in (annotations.ts).
import type { AnnotationEvent, Edit } from '../core/trajectory';

/** One line to write: an annotation of the stack (maybe under another id), or the revert of one on disk. */
type Planned = { kind: 'append'; stackId: string; event: AnnotationEvent } | { kind: 'revert'; stackId: string; event: AnnotationEvent };

/** What a save writes: the first `keep` lines of the tail stay, the rest are cut off, then `append` is written. */
export interface SavePlan {
  readonly keep: number;
  readonly append: readonly AnnotationEvent[];
  /** Whether the tail may be cut (false: `keep` is the whole tail, and only appending happens). */
  readonly rewrite: boolean;
  /** Internal: the tail once written, and the stack it saves. */
  readonly tail: readonly Planned[];
  readonly stack: readonly AnnotationEvent[];
}

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

/** Two planned lines that write the same thing (a revert's or a copy's time is when it was planned, so times are not compared). */
function sameLine(a: Planned, b: Planned): boolean {
  if (a.kind !== b.kind || a.stackId !== b.stackId || a.event.id !== b.event.id) return false;
  return a.event === b.event || JSON.stringify({ ...a.event, t: '' }) === JSON.stringify({ ...b.event, t: '' });
}

export class EditStack {
  /** In effect now, oldest first. */
  private current: AnnotationEvent[];
  /** The stack when last saved (what Revert goes back to, as VS Code's undo stack does). */
  private savedStack: AnnotationEvent[] = [];
  /** Every annotation this stack has held, by id (the step a revert of it records). */
  private readonly known = new Map<string, AnnotationEvent>();
  /** Stack annotations in effect in the fixed lines: stack id → the id written (a redo after a revert writes a copy). */
  private readonly disk = new Map<string, string>();
  /** Every id written in the fixed lines, so a copy never reuses one. */
  private readonly written = new Set<string>();
  /** The lines this stack wrote at the end of the file, in file order: a save may cut them back. */
  private tail: Planned[] = [];
  private cachedNet: AnnotationEvent[] | undefined;

  /** `restored`: annotations of a hot-exit backup, not on disk and not undoable. */
  constructor(restored: readonly AnnotationEvent[] = []) {
    this.current = [...restored];
    for (const a of restored) this.known.set(a.id!, a);
  }

  get annotations(): readonly AnnotationEvent[] {
    return this.current;
  }

  /** The annotations of this stack's tail, in file order (the file's last lines, written by this stack). */
  get tailLines(): readonly AnnotationEvent[] {
    return this.tail.map((p) => p.event);
  }

  has(id: string): boolean {
    return this.written.has(id) || this.known.has(id) || this.tail.some((p) => p.event.id === id);
  }

  push(annotation: AnnotationEvent): void {
    this.current.push(annotation);
    this.known.set(annotation.id!, annotation);
    this.cachedNet = undefined;
  }

  /** VS Code's undo of `id`: it must be the newest (the undo stack is a stack); otherwise nothing happens. */
  undo(id: string): boolean {
    if (this.current.at(-1)?.id !== id) return false;
    this.current.pop();
    this.cachedNet = undefined;
    return true;
  }

  redo(annotation: AnnotationEvent): void {
    if (this.current.some((a) => a.id === annotation.id)) return;
    this.push(annotation);
  }

  /**
   * What appending alone would add to the file, in order: reverts of what is on disk but
   * undone (newest first), then what is new. What the views show as unsaved, what a backup
   * keeps and what Save As writes after the lines read.
   */
  net(): AnnotationEvent[] {
    this.cachedNet ??= this.planAgainst(...this.withTail()).map((p) => p.event);
    return this.cachedNet;
  }

  get isDirty(): boolean {
    return this.net().length > 0;
  }

  /**
   * What a save writes now. `rewrite`: the tail is still the file's last lines, byte for byte
   * as written, and may be cut; otherwise only appending happens (the tail becomes fixed).
   */
  savePlan(rewrite: boolean): SavePlan {
    const stack = [...this.current];
    if (!rewrite || !this.tail.length) {
      const tail = this.planAgainst(...this.withTail());
      return { keep: this.tail.length, append: tail.map((p) => p.event), rewrite: false, tail, stack };
    }
    const desired = this.planAgainst(this.disk, this.written);
    let keep = 0;
    while (keep < this.tail.length && keep < desired.length && sameLine(this.tail[keep]!, desired[keep]!)) keep++;
    const tail = [...this.tail.slice(0, keep), ...desired.slice(keep)];
    return { keep, append: desired.slice(keep).map((p) => p.event), rewrite: true, tail, stack };
  }

  /** `plan` is on disk now (edits made while it was written stay unsaved). */
  markSaved(plan: SavePlan): void {
    if (!plan.rewrite) this.fixTail();
    this.tail = [...plan.tail];
    this.savedStack = [...plan.stack];
    this.cachedNet = undefined;
  }

  /**
   * Lines not written by this stack follow the tail (another tool appended), or the tail
   * cannot be cut: its lines become fixed, taken back only by reverts from now on.
   */
  fixTail(): void {
    const [disk, written] = this.withTail();
    this.disk.clear();
    for (const [k, v] of disk) this.disk.set(k, v);
    for (const id of written) this.written.add(id);
    this.tail = [];
    this.cachedNet = undefined;
  }

  /** Back to the last save (VS Code moves its undo stack there too). */
  revert(): void {
    this.current = [...this.savedStack];
    this.cachedNet = undefined;
  }

  /** The fixed lines with the tail's on top: what is on disk. */
  private withTail(): [Map<string, string>, Set<string>] {
    const disk = new Map(this.disk);
    const written = new Set(this.written);
    for (const p of this.tail) {
      written.add(p.event.id!);
      if (p.kind === 'append') disk.set(p.stackId, p.event.id!);
      else disk.delete(p.stackId);
    }
    return [disk, written];
  }

  /** The lines that, written after `disk`, make the file say what the stack says. */
  private planAgainst(disk: ReadonlyMap<string, string>, written: ReadonlySet<string>): Planned[] {
    const now = new Date().toISOString();
    const inEffect = new Set(this.current.map((a) => a.id));
    const plan: Planned[] = [];
    for (const [stackId, diskId] of [...disk].reverse()) {
      if (inEffect.has(stackId)) continue;
      plan.push({
        kind: 'revert',
        stackId,
        event: { type: 'annotation', step: this.known.get(stackId)?.step ?? 0, t: now, id: `${diskId}-x`, edit: { op: 'revert', target: diskId } },
      });
    }
    const last = new Map<string, number>();
    this.current.forEach((a, i) => {
      const key = supersedeKey(a.edit);
      if (key) last.set(key, i);
    });
    // Where each stack annotation is (or will be) on disk, for edits that point at one (a reworded inserted reflection).
    const diskIds = new Map(disk);
    const fresh = (id: string) => {
      for (let n = 2; ; n++) if (!written.has(`${id}-${n}`)) return `${id}-${n}`;
    };
    this.current.forEach((a, i) => {
      const id = a.id!;
      if (disk.has(id)) return;
      const key = supersedeKey(a.edit);
      if (key && last.get(key) !== i) return;
      // A copy is made now: it says so in its time, so the file's times stay in order.
      const diskId = written.has(id) ? fresh(id) : id;
      diskIds.set(id, diskId);
      const edit = a.edit;
      const target = 'target' in edit && typeof edit.target === 'string' ? diskIds.get(edit.target) : undefined;
      const event =
        diskId === id && target === undefined
          ? a
          : { ...a, id: diskId, ...(diskId !== id ? { t: now } : {}), ...(target !== undefined ? { edit: { ...edit, target } as Edit } : {}) };
      plan.push({ kind: 'append', stackId: id, event });
    });
    return plan;
  }
}
