// The review bar of an editor: the verdict (accepted, rejected, needs-fix) with a note and
// tags, whether the corrected or the original trajectory is shown, what is not saved yet,
// where this trajectory stands in the review queue, and the shortcut sheet. The verdicts and
// error categories offered are the project's label scheme's (setScheme).
import type { LabelState } from '../src/core/annotations';
import type { LabelScheme } from '../src/core/labelSchemeRules';
import type { Label } from '../src/core/trajectory';
import type { HostMessage } from '../src/shared/messages';
import { append, clear, el, icon } from './dom';
import { button } from './toolkit';

export type QueueStatus = Omit<Extract<HostMessage, { type: 'queue' }>, 'type'>;

export interface ReviewBarEvents {
  label(label: Label): void;
  /** An error category of the scheme switched on or off in the tags. */
  category(id: string): void;
  /** The note or tags were changed while a label is given: label again with them. */
  noteChanged(): void;
  toggleOriginal(): void;
  queue(move: 'next' | 'previous'): void;
  help(): void;
}

const LABEL_TEXT: Record<Label, string> = { accepted: 'Accepted', rejected: 'Rejected', 'needs-fix': 'Needs fix' };
const LABEL_ICON: Record<Label, string> = { accepted: 'pass', rejected: 'error', 'needs-fix': 'warning' };

export class ReviewBar {
  readonly element: HTMLElement;
  private readonly verdict = el('span', { class: 'verdict', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly noteField = el('input', { class: 'note-field', attrs: { type: 'text', 'aria-label': 'Note' } });
  private readonly tagsField = el('input', { class: 'tags-field', attrs: { type: 'text', 'aria-label': 'Tags, separated by commas' } });
  private readonly unsaved = el('span', { class: 'unsaved' });
  private readonly viewToggle = el('button', { class: 'link-button view-toggle', attrs: { type: 'button' } });
  private readonly queueInfo = el('span', { class: 'queue-info' });
  private readonly message = el('div', { class: 'review-message', attrs: { role: 'alert' } });
  private messageTimer: number | undefined;
  private readonly verdictButtons = el('span', { class: 'verdict-buttons' });
  private readonly categoryButtons = el('div', { class: 'review-row category-buttons', attrs: { role: 'group', 'aria-label': 'Error categories' } });
  /** What stays said: a scheme file not used, scheme keys not used, blind review. */
  private readonly notices = el('div', { class: 'review-notices' });
  private readonly blindNote = el('span', { class: 'blind-status' });
  private names: Record<Label, string> = { ...LABEL_TEXT };

  constructor(private readonly events: ReviewBarEvents) {
    this.noteField.placeholder = 'Note (optional)';
    this.tagsField.placeholder = 'Tags, comma-separated';
    for (const f of [this.noteField, this.tagsField]) f.addEventListener('change', () => events.noteChanged());
    this.tagsField.addEventListener('input', () => this.showCategories());
    this.viewToggle.addEventListener('click', () => events.toggleOriginal());
    const queueButton = (move: 'next' | 'previous', key: string) =>
      button(move === 'next' ? 'Next trajectory' : 'Previous trajectory', {
        appearance: 'icon',
        icon: move === 'next' ? 'arrow-down' : 'arrow-up',
        title: `${move === 'next' ? 'Next' : 'Previous'} trajectory of the review queue (${key})`,
        onClick: () => events.queue(move),
      });
    this.element = el(
      'section',
      { class: 'review-bar', attrs: { 'aria-label': 'Review' } },
      el('div', { class: 'review-row' }, this.verdict, this.verdictButtons, this.noteField, this.tagsField),
      this.categoryButtons,
      el(
        'div',
        { class: 'review-row' },
        this.viewToggle,
        this.unsaved,
        this.blindNote,
        el('span', { class: 'spacer' }),
        this.queueInfo,
        queueButton('previous', 'p'),
        queueButton('next', 'n'),
        button('Keyboard shortcuts', { appearance: 'icon', icon: 'keyboard', title: 'Keyboard shortcuts (?)', onClick: () => events.help() }),
      ),
      this.message,
      this.notices,
    );
    this.setScheme({ verdicts: [{ label: 'accepted' }, { label: 'rejected' }, { label: 'needs-fix' }], categories: [] }, new Map(), []);
  }

  /**
   * The scheme's verdicts as buttons (with their keys: `keyOf`), its error categories as
   * switches of the tags, and `notices` that stay (a scheme file not used, keys not used).
   */
  setScheme(scheme: Pick<LabelScheme, 'verdicts' | 'categories'>, keyOf: ReadonlyMap<string, string>, notices: readonly string[]): void {
    this.names = { ...LABEL_TEXT };
    for (const v of scheme.verdicts) if (v.name) this.names[v.label] = v.name;
    const withKey = (text: string, key: string | undefined) => (key ? `${text} (${key})` : text);
    clear(this.verdictButtons);
    for (const v of scheme.verdicts) {
      const key = keyOf.get(v.label);
      const b = button(withKey(this.names[v.label], key), {
        icon: LABEL_ICON[v.label],
        title: withKey(`Label the trajectory ${v.name ?? v.label}${v.needsReason ? '; needs a reason in the note' : ''}`, key),
        onClick: () => this.events.label(v.label),
      });
      b.dataset.label = v.label;
      append(this.verdictButtons, b);
    }
    clear(this.categoryButtons);
    this.categoryButtons.hidden = !scheme.categories.length;
    for (const c of scheme.categories) {
      const key = keyOf.get(`category:${c.id}`);
      const b = el(
        'button',
        {
          class: 'category',
          attrs: { type: 'button', 'aria-pressed': 'false', 'data-category': c.id },
          title: withKey(`Error category ${c.id}: add it to the tags or take it off${c.needsReason ? '; needs a reason in the note' : ''}`, key),
        },
        withKey(c.name ?? c.id, key),
      );
      b.addEventListener('click', () => this.events.category(c.id));
      append(this.categoryButtons, b);
    }
    const needReason = scheme.verdicts.filter((v) => v.needsReason).map((v) => this.names[v.label]);
    this.noteField.placeholder = needReason.length ? `Note (the reason: needed for ${needReason.join(', ')})` : 'Note (optional)';
    clear(this.notices);
    for (const n of notices) append(this.notices, el('div', { class: 'scheme-warning', attrs: { role: 'alert' } }, icon('warning'), ` ${n}`));
    this.showCategories();
  }

  /** Switches an error category on or off in the tags field. */
  toggleCategory(id: string): void {
    const tags = this.tags;
    this.tagsField.value = (tags.includes(id) ? tags.filter((t) => t !== id) : [...tags, id]).join(', ');
    this.showCategories();
  }

  /** Which category switches are on: those in the tags. */
  private showCategories(): void {
    const tags = this.tags;
    for (const b of this.categoryButtons.querySelectorAll<HTMLElement>('button.category'))
      b.setAttribute('aria-pressed', String(tags.includes(b.dataset.category ?? '')));
  }

  /** Blind review: whether others' labels are hidden until this annotator labels. */
  setBlind(blind: { hidden: number; revealed: boolean } | undefined): void {
    this.blindNote.textContent = !blind ? '' : blind.revealed ? "blind: you labelled, others' labels shown" : "blind: others' labels hidden until you label";
    this.blindNote.hidden = !blind;
  }

  get note(): string {
    return this.noteField.value.trim();
  }

  get tags(): string[] {
    return this.tagsField.value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  }

  update(o: {
    label: LabelState | undefined;
    /** Each annotator's verdict, to show who said what. */
    labels?: LabelState[];
    /** Who unsaved annotations will be saved as. */
    annotator?: string;
    unsaved: number;
    original: boolean;
    annotated: boolean;
    queue: QueueStatus | undefined;
  }): void {
    clear(this.verdict);
    this.verdict.className = `verdict ${o.label ? `label-${o.label.label}` : 'label-none'}`;
    const who = o.label?.author ? ` ${o.label.adjudicated ? 'adjudicated by' : 'by'} ${o.label.author}` : o.label?.adjudicated ? ' adjudicated' : '';
    // The other annotators' verdicts, when they are not the one shown.
    // An unsaved verdict has no author yet: it is the annotator's own, and replaces their saved one.
    const shownAuthor = o.label ? (o.label.author ?? o.annotator) : undefined;
    const others = (o.labels ?? []).filter((l) => l !== o.label && l.author && l.author !== shownAuthor).map((l) => `${l.author}: ${this.names[l.label]}`);
    append(
      this.verdict,
      o.label ? icon(LABEL_ICON[o.label.label]) : icon('circle-large-outline'),
      ` ${o.label ? this.names[o.label.label] : 'Not reviewed'}${who}${others.length ? ` · ${others.join(' · ')}` : ''}`,
    );
    // What the file says, unless the annotator is typing there.
    // Once labelled, the fields show the label's note and tags; before, what is typed is a draft for the label to come.
    if (o.label && document.activeElement !== this.noteField) this.noteField.value = o.label.note ?? '';
    if (o.label && document.activeElement !== this.tagsField) this.tagsField.value = o.label.tags?.join(', ') ?? '';
    this.showCategories();
    this.unsaved.textContent = o.unsaved ? `${o.unsaved} unsaved change${o.unsaved === 1 ? '' : 's'} · Ctrl+S saves them into the file` : '';
    this.viewToggle.textContent = o.original
      ? 'Showing the original · show corrected (o)'
      : o.annotated
        ? 'Showing the corrected trajectory · show original (o)'
        : 'No corrections yet';
    this.viewToggle.disabled = !o.annotated && !o.original;
    this.element.classList.toggle('showing-original', o.original);
    const q = o.queue;
    this.queueInfo.textContent = q
      ? `${q.position ? `${q.position.toLocaleString('en')} of ${q.shown.toLocaleString('en')}` : 'not in the filtered queue'} · ${q.reviewed.toLocaleString('en')} of ${q.total.toLocaleString('en')} reviewed`
      : '';
  }

  /** A line for a moment: an edit the host refused, a re-run that could not start. */
  say(text: string): void {
    this.message.textContent = text;
    window.clearTimeout(this.messageTimer);
    this.messageTimer = window.setTimeout(() => (this.message.textContent = ''), 8000);
  }
}
