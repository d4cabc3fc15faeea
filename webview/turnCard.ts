// One card per turn: what the model thought, what it did, what came back. Everything from
// the model or the web goes in as text (dom.ts).
import type { ObservationEvent, ResultRecord } from '../src/core/trajectory';
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

function actionView(t: Turn, ctx: CardContext): { label: string; icon: string; body: Child } {
  const a = t.action;
  if (!a)
    return t.streaming !== undefined || !t.modelTurn
      ? { label: 'Thinking…', icon: 'loading', body: null }
      : { label: 'No action', icon: 'circle-slash', body: null };
  switch (a.kind) {
    case 'answer':
      return { label: 'Answer', icon: 'check', body: el('div', { class: 'answer text' }, a.text) };
    case 'text_search':
      return { label: 'Text search', icon: 'search', body: el('div', { class: 'query' }, el('span', { class: 'query-text text' }, a.query)) };
    case 'parse_error':
      return { label: 'Unreadable turn', icon: 'warning', body: el('div', { class: 'error text', attrs: { role: 'alert' } }, a.message) };
    case 'image_search': {
      if (a.scope !== 'region' || !a.box)
        return { label: 'Glance', icon: 'eye', body: el('div', { class: 'note' }, 'Reverse image search on the whole image') };
      const [x1, y1, x2, y2] = a.box.original;
      const crop = ctx.asset(a.crop);
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
            el('span', { class: 'dim' }, ` · ${x2 - x1}×${y2 - y1} px, searched`),
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

/**
 * A turn's header line only, for cards far from view in a long trajectory: a few nodes
 * instead of dozens, filled in as they scroll near (app.ts).
 */
export function turnShell(t: Turn, ctx: CardContext): HTMLElement {
  const action = actionView(t, ctx);
  return el(
    'article',
    { class: 'turn shell', attrs: { 'data-step': String(t.step), tabindex: '-1', 'aria-label': `Turn ${t.step}: ${action.label}` } },
    el(
      'header',
      { class: 'turn-head' },
      el('span', { class: `step-no ${colourClass(t.step)}` }, String(t.step)),
      icon(action.icon),
      el('span', { class: 'action-label' }, action.label),
      el('span', { class: 'meta' }, metaLine(t)),
    ),
  );
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
  const card = el(
    'article',
    {
      class: `turn${isError ? ' has-error' : ''}${t.modelTurn ? '' : ' pending'}`,
      attrs: { 'data-step': String(t.step), tabindex: '-1', 'aria-label': `Turn ${t.step}: ${action.label}` },
      on: { mouseenter: () => ctx.hover(t.step), mouseleave: () => ctx.hover(undefined), click: () => ctx.select(t.step) },
    },
    el(
      'header',
      { class: 'turn-head' },
      el('span', { class: `step-no ${colourClass(t.step)}` }, String(t.step)),
      icon(action.icon),
      el('span', { class: 'action-label' }, action.label),
      el('span', { class: 'meta' }, metaLine(t)),
      rawToggle,
    ),
    ...t.reflections.map((r) => el('div', { class: `reasoning kind-${r.kind}` }, el('span', { class: 'kind' }, r.kind), foldable(r.text, 'reasoning-text'))),
    t.streaming !== undefined ? el('pre', { class: 'streaming text' }, t.streaming) : null,
    action.body,
    t.observation ? evidenceView(t.observation, ctx) : null,
    ...t.notices.map((n) => el('div', { class: 'notice text' }, icon('info'), ` ${n.message}`)),
    rawView,
  );
  return card;
}
