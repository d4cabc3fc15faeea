// Editing the selected gaze box on the image: drag it to move it, drag a handle to resize
// it, drag on the image outside it to draw it anew; arrow keys move it, Shift+arrows resize
// it, Alt makes the steps ten times bigger. The box is previewed while the pointer moves and
// becomes one edit when it is let go; a drag never ends in the click that zooms.
import { drawnBox, fit, HANDLES, isArrow, moveBox, nudge, resizeBox, sameBox, type Box, type Handle, type Limits } from './boxMath';
import { el } from './dom';

export interface BoxEditingHooks {
  /** The step's box as shown now (original pixels). */
  box(step: number): Box | undefined;
  element(step: number): HTMLElement | undefined;
  place(node: HTMLElement, box: Box): void;
  edited(step: number, box: Box): void;
}

/** Screen pixels the pointer must travel before a press becomes a drag. */
const DRAG_THRESHOLD = 3;

interface Drag {
  kind: 'move' | 'resize' | 'draw';
  step: number;
  handle?: Handle;
  pointerId: number;
  from: { x: number; y: number };
  screen: { x: number; y: number };
  box: Box;
  moved: boolean;
  result?: Box;
}

export class BoxEditing {
  private limits: Limits | undefined;
  private step: number | undefined;
  private drag: Drag | undefined;
  private swallowClick = false;
  private readonly handles: HTMLElement[];
  private readonly drawing: HTMLElement;

  constructor(
    private readonly stage: HTMLElement,
    private readonly overlay: HTMLElement,
    private readonly hooks: BoxEditingHooks,
  ) {
    this.handles = HANDLES.map((h) => el('div', { class: `handle h-${h}`, attrs: { 'data-handle': h, 'aria-hidden': 'true' } }));
    this.drawing = el('div', { class: 'gaze drawing', attrs: { 'aria-hidden': 'true' } });
    stage.addEventListener('pointerdown', (e) => this.down(e));
    stage.addEventListener('pointermove', (e) => this.move(e));
    stage.addEventListener('pointerup', (e) => this.up(e));
    stage.addEventListener('pointercancel', () => this.stop());
    // The click that ends a drag is not a click on the box (which would zoom).
    stage.addEventListener(
      'click',
      (e) => {
        if (!this.swallowClick) return;
        this.swallowClick = false;
        e.stopPropagation();
        e.preventDefault();
      },
      true,
    );
  }

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  /** On in an editor (with the image's size and the smallest box), off elsewhere. */
  enable(limits: Limits | undefined): void {
    this.limits = limits;
    this.stage.classList.toggle('editable', !!limits);
    this.target(this.step);
  }

  /** The box that can be edited: the selected turn's gaze. */
  target(step: number | undefined): void {
    this.step = step;
    const node = step === undefined || !this.limits ? undefined : this.hooks.element(step);
    for (const h of this.handles) {
      if (h.parentElement === node) continue;
      if (node) node.appendChild(h);
      else h.remove();
    }
    for (const b of this.overlay.querySelectorAll('.gaze.editable')) if (b !== node) b.classList.remove('editable');
    node?.classList.add('editable');
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.stage.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.limits!.width, y: ((e.clientY - r.top) / r.height) * this.limits!.height };
  }

  private down(e: PointerEvent): void {
    if (!this.limits || this.step === undefined || e.button !== 0) return;
    const box = this.hooks.box(this.step);
    if (!box) return;
    const target = e.target as HTMLElement;
    const handle = target.closest<HTMLElement>('[data-handle]')?.dataset.handle as Handle | undefined;
    const onBox = target.closest<HTMLElement>('.gaze');
    let kind: Drag['kind'];
    if (handle) kind = 'resize';
    else if (onBox && onBox.dataset.step === String(this.step)) kind = 'move';
    else if (!onBox) kind = 'draw';
    else return; // another turn's box: a click selects it
    this.drag = {
      kind,
      step: this.step,
      ...(handle ? { handle } : {}),
      pointerId: e.pointerId,
      from: this.point(e),
      screen: { x: e.clientX, y: e.clientY },
      box,
      moved: false,
    };
    this.stage.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId || !this.limits) return;
    if (!d.moved && Math.hypot(e.clientX - d.screen.x, e.clientY - d.screen.y) < DRAG_THRESHOLD) return;
    d.moved = true;
    const p = this.point(e);
    const dx = p.x - d.from.x;
    const dy = p.y - d.from.y;
    switch (d.kind) {
      case 'move':
        d.result = moveBox(d.box, dx, dy, this.limits);
        break;
      case 'resize':
        d.result = resizeBox(d.box, d.handle!, dx, dy, this.limits);
        break;
      case 'draw':
        d.result = drawnBox(d.from, p, this.limits);
        // While too small to be a box, show what is drawn anyway.
        if (!this.drawing.parentElement) this.overlay.appendChild(this.drawing);
        this.hooks.place(this.drawing, d.result ?? fit([d.from.x, d.from.y, p.x, p.y], { ...this.limits, minWidth: 1, minHeight: 1 }));
        this.drawing.classList.toggle('too-small', !d.result);
        return;
    }
    const node = this.hooks.element(d.step);
    if (node && d.result) this.hooks.place(node, d.result);
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    this.stop();
    if (!d.moved) return;
    this.swallowClick = true;
    if (d.result && !sameBox(d.result, d.box)) this.hooks.edited(d.step, d.result);
    else {
      // Nothing to record: put the preview back.
      const node = this.hooks.element(d.step);
      if (node) this.hooks.place(node, d.box);
    }
  }

  private stop(): void {
    if (this.drag && this.stage.hasPointerCapture(this.drag.pointerId)) this.stage.releasePointerCapture(this.drag.pointerId);
    this.drag = undefined;
    this.drawing.remove();
  }

  /** A key pressed on a box; true when it edited (or left) the box. Ctrl and Cmd combinations are VS Code's. */
  key(step: number, e: KeyboardEvent): boolean {
    if (!this.limits || e.ctrlKey || e.metaKey) return false;
    if (e.key === 'Escape') {
      (e.currentTarget as HTMLElement | null)?.blur();
      e.preventDefault();
      e.stopPropagation();
      return true;
    }
    if (!isArrow(e.key)) return false;
    const box = this.hooks.box(step);
    if (!box) return false;
    e.preventDefault();
    e.stopPropagation();
    const next = nudge(box, e.key, e.shiftKey, e.altKey, this.limits);
    if (!sameBox(next, box)) this.hooks.edited(step, next);
    return true;
  }
}
