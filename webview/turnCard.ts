// One card per turn: what the model thought, what it did, what came back. Everything from
// the model or the web goes in as text (dom.ts).
import type { ObservationEvent, ResultRecord } from '../src/core/trajectory';
import type { Box } from './boxMath';
import { el, icon, image, type Child } from './dom';
import { colourClass } from './imageView';
import type { Turn } from './model';

/** Reasoning longer than this is folded, with a button to unfold it. */
export const FOLD_CHARS = 600;

export interface CardContext {
  /** URL of a run asset, or undefined when the path is not one. */
  asset(rel: string | undefined): string | undefined;
  /** Why the host refused to show an image the record names, if it did. */
  refusal(rel: string | undefined): string | undefined;
  openLink(url: string): void;
  hover(step: number | undefined): void;
  select(step: number): void;
  /** What annotations did, when there are any: marked in both views. */
  marks?: CardMarks;
  /** Editing, in an editor showing the corrected trajectory. */
  edit?: CardEditing;
}

export interface CardMarks {
  /** An annotation changed (or inserted) the event with this id. */
  changed(id: string | undefined): boolean;
  /** The annotator who last changed it, when the annotation names one. */
  changedBy(id: string | undefined): string | undefined;
  /** The reflection was inserted by an annotation. */
  inserted(id: string | undefined): boolean;
  dropped(step: number): boolean;
  /** Where a corrected gaze box was before (original pixels). */
  boxBefore(actionId: string | undefined): Box | undefined;
}

export interface CardEditing {
  /** Opens a text editor in place of `shown`, for the event `target`. */
  text(step: number, target: string, what: string, initial: string, shown: HTMLElement): void;
  insertReflection(step: number, card: HTMLElement): void;
  removeInserted(id: string): void;
  toggleDrop(step: number): void;
  editBox(step: number): void;
  rerun(step: number): void;
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function foldable(text: string, className: string): HTMLElement {
  const body = el('div', { class: `${className} text` }, text);
  if (text.length <= FOLD_CHARS) return body;
  body.classList.add('folded');
  const toggle = el('button', { class: 'link-button fold', attrs: { type: 'button' } }, 'Show all');
  toggle.addEventListener('click', () => {
    const folded = body.classList.toggle('folded');
    toggle.textContent = folded ? 'Show all' : 'Show less';
  });
  return el('div', { class: 'foldable' }, body, toggle);
}

function editButton(label: string, onClick: () => void): HTMLElement {
  const b = el('button', { class: 'link-button edit-text', attrs: { type: 'button', 'aria-label': label }, title: label }, icon('edit'));
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** A text that an editor can change in place: the text, and a pencil that opens the editor where it was. */
function editableText(t: Turn, ctx: CardContext, target: string | undefined, what: string, text: string, node: HTMLElement): HTMLElement {
  const edit = ctx.edit;
  if (!edit || !target) return node;
  const holder = el('div', { class: 'editable-text', attrs: { 'data-target': target } }, node);
  holder.appendChild(editButton(`Edit the ${what} of turn ${t.step}`, () => edit.text(t.step, target, what, text, holder)));
  return holder;
}

function actionView(t: Turn, ctx: CardContext): { label: string; icon: string; body: Child } {
  const a = t.action;
  if (!a)
    return t.streaming !== undefined || !t.modelTurn
      ? { label: 'Thinking…', icon: 'loading', body: null }
      : { label: 'No action', icon: 'circle-slash', body: null };
  switch (a.kind) {
    case 'answer':
      return { label: 'Answer', icon: 'check', body: editableText(t, ctx, t.actionId, 'answer', a.text, el('div', { class: 'answer text' }, a.text)) };
    case 'text_search':
      return {
        label: 'Text search',
        icon: 'search',
        body: editableText(t, ctx, t.actionId, 'query', a.query, el('div', { class: 'query' }, el('span', { class: 'query-text text' }, a.query))),
      };
    case 'parse_error':
      return { label: 'Unreadable turn', icon: 'warning', body: el('div', { class: 'error text', attrs: { role: 'alert' } }, a.message) };
    case 'image_search': {
      if (a.scope !== 'region' || !a.box)
        return { label: 'Glance', icon: 'eye', body: el('div', { class: 'note' }, 'Reverse image search on the whole image') };
      const [x1, y1, x2, y2] = a.box.original;
      const crop = ctx.asset(a.crop);
      const before = ctx.marks?.boxBefore(t.actionId);
      return {
        label: 'Gaze',
        icon: 'target',
        body: el(
          'figure',
          { class: 'gaze-crop' },
          crop ? image(crop, `Turn ${t.step} crop`, 'crop') : cropRefused(a.crop, ctx),
          el(
            'figcaption',
            {},
            el('span', { class: 'box-model' }, `box [${a.box.model.join(', ')}]`),
            ' → ',
            el('span', { class: 'box-pixels' }, `pixels [${a.box.original.join(', ')}]`),
            el('span', { class: 'dim' }, ` · ${x2 - x1}×${y2 - y1} px${before ? '' : ', searched'}`),
            // The crop shown is what was searched; the record's box is the corrected one.
            before ? el('div', { class: 'box-before' }, `Corrected; the model gazed at [${before.join(', ')}] (the crop shown)`) : null,
          ),
        ),
      };
    }
  }
}

function cropRefused(rel: string | undefined, ctx: CardContext): Child {
  const reason = ctx.refusal(rel);
  return reason ? el('div', { class: 'note refused text', attrs: { role: 'note' } }, icon('shield'), ` Crop not shown: ${rel} ${reason}`) : null;
}

function resultView(r: ResultRecord, ctx: CardContext): HTMLElement {
  const thumb = ctx.asset(r.thumbnail);
  const title = el('button', { class: 'result-title link-button', title: r.url, attrs: { type: 'button' } }, r.title || r.url);
  title.addEventListener('click', () => ctx.openLink(r.url));
  return el(
    'li',
    { class: 'result' },
    thumb ? image(thumb, '', 'thumb') : el('div', { class: 'thumb none' }, icon('file')),
    el(
      'div',
      { class: 'result-body' },
      title,
      el('div', { class: 'result-url text' }, r.url),
      el('div', { class: 'snippet text' }, r.snippet),
      el('div', { class: 'result-meta' }, `#${r.rank} · ${r.provider}${r.score !== undefined ? ` · score ${r.score}` : ''}`),
    ),
  );
}

function evidenceView(o: ObservationEvent, ctx: CardContext): HTMLElement {
  const head = el(
    'div',
    { class: 'evidence-head' },
    `${o.tool === 'image_search' ? 'Image' : 'Text'} search · ${o.results.length} result${o.results.length === 1 ? '' : 's'} · ${seconds(o.ms)}`,
    o.cached ? el('span', { class: 'pill' }, 'cached') : null,
  );
  if (o.error) return el('section', { class: 'evidence' }, head, el('div', { class: 'error text', attrs: { role: 'alert' } }, `Search failed: ${o.error}`));
  return el('section', { class: 'evidence' }, head, el('ol', { class: 'results' }, ...o.results.map((r) => resultView(r, ctx))));
}

function metaLine(t: Turn): string {
  const parts: string[] = [];
  const m = t.modelTurn;
  if (m) {
    parts.push(seconds(m.ms));
    if (m.usage) parts.push(`${m.usage.prompt} → ${m.usage.completion} tokens`);
    if (m.finishReason && m.finishReason !== 'stop' && m.finishReason !== 'tool_calls') parts.push(`finish: ${m.finishReason}`);
  }
  return parts.join(' · ');
}

/** What annotations did to a turn: its class names and the badges in its header. */
function turnMarks(t: Turn, ctx: CardContext): { classes: string; badges: Child[] } {
  const m = ctx.marks;
  if (!m) return { classes: '', badges: [] };
  const dropped = m.dropped(t.step);
  const changed = m.changed(t.actionId) || t.reflections.some((r) => m.changed(r.id));
  // Who edited the turn: each annotator once, in the order of the turn's parts.
  const by = [...new Set([t.actionId, ...t.reflections.map((r) => r.id)].map((id) => m.changedBy(id)).filter((a): a is string => !!a))].join(', ');
  return {
    classes: `${changed ? ' changed' : ''}${dropped ? ' dropped' : ''}`,
    badges: [
      changed
        ? el('span', { class: 'pill mark-changed', title: by ? `Changed by ${by}` : 'Changed by an annotation' }, by ? `edited by ${by}` : 'edited')
        : null,
      dropped ? el('span', { class: 'pill mark-dropped', title: 'Left out of the corrected trajectory' }, 'dropped') : null,
    ],
  };
}

/**
 * A turn's header line only, for cards far from view in a long trajectory: a few nodes
 * instead of dozens, filled in as they scroll near (app.ts).
 */
export function turnShell(t: Turn, ctx: CardContext): HTMLElement {
  const action = actionView(t, ctx);
  const marks = turnMarks(t, ctx);
  return el(
    'article',
    { class: `turn shell${marks.classes}`, attrs: { 'data-step': String(t.step), tabindex: '-1', 'aria-label': `Turn ${t.step}: ${action.label}` } },
    el(
      'header',
      { class: 'turn-head' },
      el('span', { class: `step-no ${colourClass(t.step)}` }, String(t.step)),
      icon(action.icon),
      el('span', { class: 'action-label' }, action.label),
      ...marks.badges,
      el('span', { class: 'meta' }, metaLine(t)),
    ),
  );
}

function toolButton(label: string, iconName: string, text: string, onClick: () => void): HTMLElement {
  const b = el('button', { class: 'link-button tool', attrs: { type: 'button', 'aria-label': label }, title: label }, icon(iconName), ` ${text}`);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** The editing buttons of a turn: its box, dropping it, a new reflection, and a re-run from it. */
function turnTools(t: Turn, ctx: CardContext, card: () => HTMLElement): Child {
  const edit = ctx.edit;
  if (!edit || !t.modelTurn) return null;
  const gaze = t.action?.kind === 'image_search' && t.action.scope === 'region' && !!t.action.box;
  const dropped = ctx.marks?.dropped(t.step) ?? false;
  return el(
    'div',
    { class: 'turn-tools' },
    gaze && !dropped ? toolButton(`Edit the gaze box of turn ${t.step}`, 'move', 'Box', () => edit.editBox(t.step)) : null,
    toolButton(`Insert a reflection in turn ${t.step}`, 'comment-discussion', 'Reflection', () => edit.insertReflection(t.step, card())),
    dropped
      ? toolButton(`Restore turn ${t.step}`, 'discard', 'Restore', () => edit.toggleDrop(t.step))
      : toolButton(`Drop turn ${t.step}`, 'trash', 'Drop', () => edit.toggleDrop(t.step)),
    toolButton(`Re-run from turn ${t.step}`, 'debug-restart', 'Re-run from here', () => edit.rerun(t.step)),
  );
}

function reasoningView(t: Turn, r: Turn['reflections'][number], ctx: CardContext): HTMLElement {
  const inserted = ctx.marks?.inserted(r.id) ?? false;
  const changed = !inserted && (ctx.marks?.changed(r.id) ?? false);
  const edit = ctx.edit;
  const text = foldable(r.text, 'reasoning-text');
  return el(
    'div',
    { class: `reasoning kind-${r.kind}${changed ? ' changed' : ''}${inserted ? ' inserted' : ''}` },
    el('span', { class: 'kind' }, r.kind, inserted ? el('span', { class: 'added' }, ' added') : null),
    editableText(t, ctx, r.id, r.kind, r.text, text),
    inserted && edit && r.id ? editButtonRemove(`Remove the added reflection of turn ${t.step}`, () => edit.removeInserted(r.id!)) : null,
  );
}

function editButtonRemove(label: string, onClick: () => void): HTMLElement {
  const b = el('button', { class: 'link-button remove-inserted', attrs: { type: 'button', 'aria-label': label }, title: label }, icon('close'));
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

export function turnCard(t: Turn, ctx: CardContext): HTMLElement {
  const action = actionView(t, ctx);
  const raw = t.modelTurn
    ? [
        t.modelTurn.reasoning ? `[reasoning]\n${t.modelTurn.reasoning}\n\n` : '',
        t.modelTurn.raw,
        t.modelTurn.toolCalls ? `\n\n[tool calls]\n${JSON.stringify(t.modelTurn.toolCalls, null, 2)}` : '',
      ].join('')
    : '';
  const rawView = el('pre', { class: 'raw text', attrs: { 'aria-label': 'Raw model output' } }, raw);
  rawView.hidden = true;
  const rawToggle = t.modelTurn
    ? el('button', { class: 'link-button', attrs: { type: 'button' }, title: 'The model’s text exactly as returned' }, 'Raw')
    : null;
  rawToggle?.addEventListener('click', () => {
    rawView.hidden = !rawView.hidden;
    rawToggle.textContent = rawView.hidden ? 'Raw' : 'Hide raw';
  });
  const isError = t.action?.kind === 'parse_error' || !!t.observation?.error;
  const marks = turnMarks(t, ctx);
  const card: HTMLElement = el(
    'article',
    {
      class: `turn${isError ? ' has-error' : ''}${t.modelTurn ? '' : ' pending'}${marks.classes}`,
      attrs: { 'data-step': String(t.step), tabindex: '-1', 'aria-label': `Turn ${t.step}: ${action.label}` },
      on: { mouseenter: () => ctx.hover(t.step), mouseleave: () => ctx.hover(undefined), click: () => ctx.select(t.step) },
    },
    el(
      'header',
      { class: 'turn-head' },
      el('span', { class: `step-no ${colourClass(t.step)}` }, String(t.step)),
      icon(action.icon),
      el('span', { class: 'action-label' }, action.label),
      ...marks.badges,
      el('span', { class: 'meta' }, metaLine(t)),
      rawToggle,
    ),
    turnTools(t, ctx, () => card),
    ...t.reflections.map((r) => reasoningView(t, r, ctx)),
    t.streaming !== undefined ? el('pre', { class: 'streaming text' }, t.streaming) : null,
    action.body,
    t.observation ? evidenceView(t.observation, ctx) : null,
    ...t.notices.map((n) => el('div', { class: 'notice text' }, icon('info'), ` ${n.message}`)),
    rawView,
  );
  return card;
}
