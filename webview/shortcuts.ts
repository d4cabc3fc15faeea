// The panel's keys, in one table: what the `?` sheet lists is what the key handler knows.
// Keys are single letters without Ctrl or Cmd (those are VS Code's: Ctrl+S saves; Ctrl+Z and
// Ctrl+Y undo and redo on VS Code's stack, sent by the panel: historyKeyFor), and none of them
// fires while a text field has the focus.
import { el } from './dom';

export type ShortcutAction =
  | 'nextTurn'
  | 'previousTurn'
  | 'accept'
  | 'reject'
  | 'needsFix'
  | 'editBox'
  | 'editText'
  | 'dropStep'
  | 'insertReflection'
  | 'toggleOriginal'
  | 'undo'
  | 'redo'
  | 'nextTrajectory'
  | 'previousTrajectory'
  | 'zoom'
  | 'resetZoom'
  | 'toggleBoxes'
  | 'help';

export interface Shortcut {
  keys: string[];
  action: ShortcutAction;
  what: string;
  /** Only in an editor (a file opened in the trajectory editor, not a live run or a report). */
  editing?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['j', 'ArrowDown'], action: 'nextTurn', what: 'Next turn' },
  { keys: ['k', 'ArrowUp'], action: 'previousTurn', what: 'Previous turn' },
  { keys: ['a'], action: 'accept', what: 'Label the trajectory accepted', editing: true },
  { keys: ['r'], action: 'reject', what: 'Label the trajectory rejected', editing: true },
  { keys: ['f'], action: 'needsFix', what: 'Label the trajectory needs-fix', editing: true },
  { keys: ['e'], action: 'editBox', what: 'Edit the selected turn’s gaze box with the keyboard', editing: true },
  { keys: ['t'], action: 'editText', what: 'Edit the selected turn’s query or answer (or its last reasoning)', editing: true },
  { keys: ['d'], action: 'dropStep', what: 'Drop the selected turn, or restore it', editing: true },
  { keys: ['i'], action: 'insertReflection', what: 'Insert a reflection in the selected turn', editing: true },
  { keys: ['u'], action: 'undo', what: 'Undo the last edit (as Ctrl+Z)', editing: true },
  { keys: ['U'], action: 'redo', what: 'Redo it (as Ctrl+Y)', editing: true },
  { keys: ['o'], action: 'toggleOriginal', what: 'Show the original or the corrected trajectory', editing: true },
  { keys: ['n'], action: 'nextTrajectory', what: 'Next trajectory of the review queue', editing: true },
  { keys: ['p'], action: 'previousTrajectory', what: 'Previous trajectory of the review queue', editing: true },
  { keys: ['z'], action: 'zoom', what: 'Zoom to the selected gaze' },
  { keys: ['0'], action: 'resetZoom', what: 'Reset the zoom' },
  { keys: ['b'], action: 'toggleBoxes', what: 'Show or hide the boxes' },
  { keys: ['?'], action: 'help', what: 'Show or hide this list' },
];

/** Keys on a focused gaze box (after `e`), and VS Code's own. */
const BOX_KEYS: [string, string][] = [
  ['Arrows', 'Move the box'],
  ['Shift+arrows', 'Resize it (right and down grow it)'],
  ['Alt+…', 'Ten times bigger steps'],
  ['Escape', 'Leave the box'],
];
const VSCODE_KEYS: [string, string][] = [
  ['Ctrl+Z / Ctrl+Y', 'Undo and redo (on VS Code’s undo stack)'],
  ['Ctrl+S', 'Save: the annotations are added to the file'],
  ['Alt+N / Alt+P', 'Next and previous trajectory, from anywhere in VS Code'],
];

/**
 * Ctrl+Z, Ctrl+Y, Ctrl+Shift+Z (Cmd on a Mac) as the panel's own undo and redo. Left to VS Code,
 * the key reaches its undo stack straight from the page, and can overtake an edit made a moment
 * before that is still on its way through the extension: VS Code would then undo the edit
 * before it. Sent as the panel's request, the undo travels behind the edits.
 */
export function historyKeyFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): 'undo' | 'redo' | undefined {
  if (e.altKey || e.ctrlKey === e.metaKey) return undefined;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !e.shiftKey) return 'redo';
  return undefined;
}

export function shortcutFor(key: string, editable: boolean): ShortcutAction | undefined {
  return SHORTCUTS.find((s) => s.keys.includes(key) && (editable || !s.editing))?.action;
}

function keyName(k: string): string {
  return k === 'ArrowDown' ? '↓' : k === 'ArrowUp' ? '↑' : k.length === 1 && k !== k.toLowerCase() ? `Shift+${k}` : k;
}

function table(rows: [string, string][]): HTMLElement {
  return el('table', {}, ...rows.map(([k, what]) => el('tr', {}, el('td', {}, el('kbd', {}, k)), el('td', {}, what))));
}

/** The sheet `?` shows; Escape or `?` closes it. */
export function shortcutSheet(editable: boolean, close: () => void): HTMLElement {
  const rows = SHORTCUTS.filter((s) => editable || !s.editing).map((s): [string, string] => [s.keys.map(keyName).join(' or '), s.what]);
  const closeButton = el('button', { class: 'link-button', attrs: { type: 'button' } }, 'Close');
  closeButton.addEventListener('click', close);
  const sheet = el(
    'div',
    { class: 'shortcut-sheet', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Keyboard shortcuts', tabindex: '-1' } },
    el('div', { class: 'sheet-head' }, el('h2', {}, 'Keyboard shortcuts'), closeButton),
    table(rows),
    editable ? el('h3', {}, 'On a gaze box') : null,
    editable ? table(BOX_KEYS) : null,
    editable ? el('h3', {}, 'VS Code') : null,
    editable ? table(VSCODE_KEYS) : null,
    el('p', { class: 'dim' }, 'No key works while you type in a text field.'),
  );
  sheet.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || e.key === '?') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  return sheet;
}
