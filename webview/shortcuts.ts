// The panel's keys, in one table: what the `?` sheet lists is what the key handler knows. The
// verdict and error-category keys come from the project's label scheme (keysFor).
// Keys are single letters without Ctrl or Cmd (those are VS Code's: Ctrl+S saves; Ctrl+Z and
// Ctrl+Y undo and redo on VS Code's stack, sent by the panel: historyKeyFor), and none of them
// fires while a text field has the focus.
import type { LabelScheme } from '../src/core/labelSchemeRules';
import type { Label } from '../src/core/trajectory';
import { el } from './dom';

export type ShortcutAction =
  | 'nextTurn'
  | 'previousTurn'
  | 'verdict'
  | 'category'
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
  /** `verdict`: the verdict given. */
  label?: Label;
  /** `category`: the error category switched on or off. */
  category?: string;
}

/** The keys that are not the scheme's: the scheme's verdicts and categories go after the first two. */
const FIXED: readonly Shortcut[] = [
  { keys: ['j', 'ArrowDown'], action: 'nextTurn', what: 'Next turn' },
  { keys: ['k', 'ArrowUp'], action: 'previousTurn', what: 'Previous turn' },
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

/** The keys of the default scheme's verdicts, for a scheme that gives its verdicts no key at all. */
const DEFAULT_VERDICT_KEYS: Record<Label, string> = { accepted: 'a', rejected: 'r', 'needs-fix': 'f' };

export interface Keys {
  shortcuts: readonly Shortcut[];
  /** Scheme keys not used because the panel's own key is the same (one line each). */
  clashes: string[];
}

/**
 * The panel's keys with a label scheme's: its verdicts' keys (replacing a, r and f when it gives
 * any; a scheme without keys keeps them) and its error categories' keys. A scheme key that is
 * one of the panel's own (j, e, d…) is not used, and said.
 */
export function keysFor(scheme: Pick<LabelScheme, 'verdicts' | 'categories'>): Keys {
  const own = new Set(FIXED.flatMap((s) => s.keys));
  const clashes: string[] = [];
  const usable = (key: string | undefined, what: string): string[] => {
    if (key === undefined) return [];
    if (!own.has(key)) return [key];
    clashes.push(`the key ${key} of ${what} is the panel’s own (${FIXED.find((s) => s.keys.includes(key))!.what}); give it another`);
    return [];
  };
  const keyed = scheme.verdicts.some((v) => v.key !== undefined);
  const verdicts = scheme.verdicts.map((v): Shortcut => ({
    keys: usable(keyed ? v.key : DEFAULT_VERDICT_KEYS[v.label], `the verdict ${v.label}`),
    action: 'verdict',
    label: v.label,
    what: `Label the trajectory ${v.name ?? v.label}${v.needsReason ? ' (with a reason in the note)' : ''}`,
    editing: true,
  }));
  const categories = scheme.categories.map((c): Shortcut => ({
    keys: usable(c.key, `the error category ${c.id}`),
    action: 'category',
    category: c.id,
    what: `Error category ${c.name ?? c.id}: add it to the tags or take it off${c.needsReason ? ' (needs a reason in the note)' : ''}`,
    editing: true,
  }));
  const shortcuts = [...FIXED.slice(0, 2), ...verdicts, ...categories, ...FIXED.slice(2)].filter((s) => s.keys.length);
  return { shortcuts, clashes };
}

/** The keys of today's three verdicts: a panel without a scheme (a live run, a report). */
export const DEFAULT_KEYS: Keys = keysFor({ verdicts: Object.entries(DEFAULT_VERDICT_KEYS).map(([label]) => ({ label: label as Label })), categories: [] });

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

export function shortcutFor(key: string, editable: boolean, keys: Keys = DEFAULT_KEYS): Shortcut | undefined {
  return keys.shortcuts.find((s) => s.keys.includes(key) && (editable || !s.editing));
}

function keyName(k: string): string {
  return k === 'ArrowDown' ? '↓' : k === 'ArrowUp' ? '↑' : k.length === 1 && k !== k.toLowerCase() ? `Shift+${k}` : k;
}

function table(rows: [string, string][]): HTMLElement {
  return el('table', {}, ...rows.map(([k, what]) => el('tr', {}, el('td', {}, el('kbd', {}, k)), el('td', {}, what))));
}

/** The sheet `?` shows; Escape or `?` closes it. */
export function shortcutSheet(editable: boolean, close: () => void, keys: Keys = DEFAULT_KEYS): HTMLElement {
  const rows = keys.shortcuts.filter((s) => editable || !s.editing).map((s): [string, string] => [s.keys.map(keyName).join(' or '), s.what]);
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
