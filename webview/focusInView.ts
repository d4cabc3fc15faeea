// A field that takes the focus is one the annotator can see: inside the window and not under
// the sticky image pane (a new reflection's box used to open beneath it, or below the fold).
// The pane's height is kept in a CSS variable that the page's scroll-padding uses, so every
// scrollIntoView (a selected turn, a revealed field) leaves the pane's room free.

/** Whether `r` lies in the window and clear of the sticky pane (above, below or beside it). */
function visible(r: DOMRect, pane: DOMRect): boolean {
  const inWindow = r.top >= 0 && r.bottom <= window.innerHeight;
  const clearOfPane = r.bottom <= pane.top || r.top >= pane.bottom || r.right <= pane.left || r.left >= pane.right;
  return inWindow && clearOfPane;
}

/** Scrolls `target` into the part of the window the sticky pane leaves free, if it is not there. */
export function reveal(target: HTMLElement, sticky: HTMLElement): void {
  if (visible(target.getBoundingClientRect(), sticky.getBoundingClientRect())) return;
  target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

export function keepFocusInView(sticky: HTMLElement): void {
  const root = document.documentElement;
  // Beside the turns (layout.ts), the pane covers none of them: nothing to leave free above.
  const measure = () =>
    root.style.setProperty(
      '--gog-sticky-height',
      document.body.classList.contains('layout-side') ? '0px' : `${Math.ceil(sticky.getBoundingClientRect().height)}px`,
    );
  new ResizeObserver(measure).observe(sticky);
  new MutationObserver(measure).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  measure();
  // Cards above the field may still fill in (they are drawn in full as they come near the
  // view) and push it down: for a moment after the focus, any change of the page's size
  // reveals the field again.
  let settling: { target: HTMLElement; until: number } | undefined;
  new ResizeObserver(() => {
    if (!settling || performance.now() > settling.until || document.activeElement !== settling.target) return void (settling = undefined);
    reveal(settling.target, sticky);
  }).observe(document.body);
  document.addEventListener('focusin', (e) => {
    const target = e.target;
    // The pane's own controls (a focused gaze box) are always in view: it is sticky.
    if (!(target instanceof HTMLElement) || sticky.contains(target)) return;
    reveal(target, sticky);
    settling = { target, until: performance.now() + 1500 };
  });
}
