// A field that takes the focus is one the annotator can see: inside the window and not under
// the sticky image pane (a new reflection's box used to open beneath it, or below the fold).
// The pane's height is kept in a CSS variable that the page's scroll-padding uses, so every
// scrollIntoView (a selected turn, a revealed field) leaves the pane's room free.

/** Whether `r` lies in the window and clear of the sticky pane. */
function visible(r: DOMRect, pane: DOMRect): boolean {
  const inWindow = r.top >= 0 && r.bottom <= window.innerHeight;
  const clearOfPane = r.bottom <= pane.top || r.top >= pane.bottom;
  return inWindow && clearOfPane;
}

/** Scrolls `target` into the part of the window the sticky pane leaves free, if it is not there. */
export function reveal(target: HTMLElement, sticky: HTMLElement): void {
  if (visible(target.getBoundingClientRect(), sticky.getBoundingClientRect())) return;
  target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

export function keepFocusInView(sticky: HTMLElement): void {
  const root = document.documentElement;
  const measure = () => root.style.setProperty('--gog-sticky-height', `${Math.ceil(sticky.getBoundingClientRect().height)}px`);
  new ResizeObserver(measure).observe(sticky);
  measure();
  document.addEventListener('focusin', (e) => {
    const target = e.target;
    // The pane's own controls (a focused gaze box) are always in view: it is sticky.
    if (!(target instanceof HTMLElement) || sticky.contains(target)) return;
    reveal(target, sticky);
  });
}
