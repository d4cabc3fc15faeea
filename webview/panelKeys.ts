// Listening for the panel's keys (the table is shortcuts.ts). A key typed in a text field is
// the field's, never a shortcut; Ctrl and Cmd combinations are VS Code's (Ctrl+S), except
// undo and redo in an editor, which the panel sends itself (historyKeyFor says why).
import { historyKeyFor, shortcutFor, type Keys, type Shortcut, type ShortcutAction } from './shortcuts';

export interface KeyTarget {
  /** An editor: the editing keys count. */
  editable(): boolean;
  keys(): Keys;
  run(action: ShortcutAction, shortcut?: Shortcut): void;
}

export function listenForKeys(target: KeyTarget): void {
  document.addEventListener('keydown', (e) => {
    if (isTyping(e)) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const shortcut = shortcutFor(e.key, target.editable(), target.keys());
    if (!shortcut) return;
    e.preventDefault();
    target.run(shortcut.action, shortcut);
  });
  // Before VS Code's own listener on this window sees Ctrl+Z (historyKeyFor says why).
  window.addEventListener(
    'keydown',
    (e) => {
      // In a text field the key is the field's own undo.
      if (!target.editable() || isTyping(e)) return;
      const action = historyKeyFor(e);
      if (!action) return;
      e.preventDefault();
      e.stopPropagation();
      target.run(action);
    },
    { capture: true },
  );
}

/** A key pressed in a text field: the field's, never a shortcut. */
function isTyping(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}
