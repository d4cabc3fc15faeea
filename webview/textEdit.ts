// Editing a text in place (a reasoning or reflection, a search query, the answer, a new
// reflection): a text box where the text was, kept with Ctrl/Cmd+Enter, the Save button or
// by leaving it, dropped with Escape or Cancel. An unchanged text records nothing.
import { el } from './dom';

export interface TextEditOptions {
  initial: string;
  label: string;
  /** One line (a query) or several. */
  multiline: boolean;
  commit(text: string): void;
  /** Called once the editor is gone, whichever way it closed. */
  closed(): void;
}

export function textEditor(o: TextEditOptions): HTMLElement {
  const field = o.multiline
    ? el('textarea', { class: 'text-edit', attrs: { 'aria-label': o.label } })
    : el('input', { class: 'text-edit', attrs: { type: 'text', 'aria-label': o.label } });
  field.value = o.initial;
  if (field instanceof HTMLTextAreaElement) field.rows = Math.min(12, Math.max(3, o.initial.split('\n').length + 1));
  let done = false;
  const finish = (keep: boolean) => {
    if (done) return;
    done = true;
    const text = field.value;
    wrap.remove();
    if (keep && text !== o.initial) o.commit(text);
    o.closed();
  };
  const save = el('button', { class: 'link-button', attrs: { type: 'button' }, title: 'Keep the text (Ctrl+Enter)' }, 'Save');
  const cancel = el('button', { class: 'link-button', attrs: { type: 'button' }, title: 'Drop the change (Escape)' }, 'Cancel');
  save.addEventListener('click', () => finish(true));
  // mousedown, not click: the text box's blur (which keeps the text) comes before a click.
  cancel.addEventListener('mousedown', (e) => {
    e.preventDefault();
    finish(false);
  });
  (field as HTMLElement).addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      finish(false);
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !o.multiline)) {
      e.preventDefault();
      finish(true);
    }
    // Nothing typed here is a panel shortcut.
    e.stopPropagation();
  });
  field.addEventListener('blur', () => finish(true));
  const wrap = el(
    'div',
    { class: 'text-editor' },
    field,
    el('div', { class: 'text-edit-actions' }, save, ' · ', cancel, el('span', { class: 'dim' }, ' Ctrl+Enter keeps it, Escape drops it')),
  );
  queueMicrotask(() => {
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  });
  return wrap;
}
