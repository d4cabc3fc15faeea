// A standalone report's sample, opened from the table (a click, or Enter on a row): its
// trajectory as the report carries it (src/shared/reportData.ts): turns, reasoning, queries,
// evidence titles, and the gaze boxes drawn over a small copy of the image. The sample's
// block is parsed and checked only now, when it is opened. Everything from the run is shown
// as text. The sample's key goes in the address (#sample-<key>), so the browser's Back closes
// it as Escape and the close button do.
import {
  IMAGE_DATA_URL,
  imageBlockId,
  sampleBlockId,
  sampleDetailSchema,
  type DetailAction,
  type ReportDetails,
  type SampleDetail,
} from '../../src/shared/reportData';
import type { ReviewRow } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { plural } from './format';
import { CAUSE_LABELS, causeOfRow } from './tableModel';
import { rowIsRight } from './overviewModel';

const HASH = /^#sample-(\d+)$/;

/** Reads a sample's block: its detail and its image's data: URL, or why it cannot be shown. */
export function readSample(key: number): { detail: SampleDetail; image: string | null } | string {
  const block = document.getElementById(sampleBlockId(key));
  if (!block) return 'not in the page';
  let detail: SampleDetail;
  try {
    const parsed = sampleDetailSchema.safeParse(JSON.parse(block.textContent ?? ''));
    if (!parsed.success || parsed.data.key !== key) return 'its trajectory in the page is not one this page can show';
    detail = parsed.data;
  } catch {
    return 'its trajectory in the page is not JSON';
  }
  let image: string | null = null;
  if (detail.image !== null) {
    try {
      const url: unknown = JSON.parse(document.getElementById(imageBlockId(detail.image))?.textContent ?? 'null');
      if (typeof url === 'string' && IMAGE_DATA_URL.test(url)) image = url;
    } catch {
      image = null;
    }
  }
  return { detail, image };
}

function describeAction(a: DetailAction | null): string {
  if (!a) return 'no action';
  switch (a.kind) {
    case 'answer':
      return 'answer';
    case 'text_search':
      return 'text search';
    case 'glance':
      return 'glance (the whole image searched)';
    case 'gaze':
      return 'gaze (a region searched)';
    case 'parse_error':
      return 'unreadable turn';
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

/** The image with each gaze box over it, numbered by its step. */
function figure(image: string, steps: SampleDetail['steps']): HTMLElement {
  const img = el('img', { class: 'sd-image', attrs: { alt: 'The sample image, small', draggable: 'false' } });
  img.src = image;
  const box = el('div', { class: 'sd-figure' }, img);
  for (const s of steps) {
    if (s.action?.kind !== 'gaze' || !s.action.box) continue;
    const [x1, y1, x2, y2] = s.action.box;
    const b = el(
      'div',
      { class: 'gaze-box', title: `step ${s.step}: gazed here`, attrs: { 'data-step': String(s.step) } },
      el('span', { class: 'gaze-label' }, String(s.step)),
    );
    // CSSOM, not a style attribute: the page's CSP allows the one and not the other.
    b.style.left = `${x1 * 100}%`;
    b.style.top = `${y1 * 100}%`;
    b.style.width = `${(x2 - x1) * 100}%`;
    b.style.height = `${(y2 - y1) * 100}%`;
    box.appendChild(b);
  }
  return box;
}

function stepView(s: SampleDetail['steps'][number]): HTMLElement {
  const a = s.action;
  return el(
    'li',
    { class: `detail-step${s.action?.kind === 'gaze' ? ' gaze-step' : ''}`, attrs: { 'data-step': String(s.step) } },
    el(
      'div',
      { class: 'sd-step-head' },
      el('strong', {}, `Step ${s.step}`),
      ` · ${describeAction(a)}`,
      s.corrected ? el('span', { class: 'sd-corrected' }, ' · corrected') : null,
    ),
    ...s.reasoning.map((r) => el('p', { class: 'sd-reason text' }, el('span', { class: 'dim' }, `${r.kind}: `), r.text)),
    a?.kind === 'text_search' ? el('p', { class: 'sd-query text' }, el('span', { class: 'dim' }, 'query: '), a.query) : null,
    a?.kind === 'answer' ? el('p', { class: 'sd-answer text' }, el('span', { class: 'dim' }, 'answer: '), a.text) : null,
    a?.kind === 'parse_error' ? el('p', { class: 'sd-error text' }, a.message) : null,
    a?.kind === 'gaze' && !a.box ? el('p', { class: 'dim' }, 'the box is not in the record') : null,
    s.error ? el('p', { class: 'sd-error text' }, `search failed: ${s.error}`) : null,
    s.evidence.length
      ? el(
          'ol',
          { class: 'sd-evidence' },
          ...s.evidence.map((e) =>
            el('li', { class: 'text' }, el('span', { class: 'sd-title' }, e.title || '(no title)'), el('span', { class: 'dim sd-url' }, ` ${e.url}`)),
          ),
        )
      : null,
    s.moreEvidence ? el('p', { class: 'dim' }, `and ${plural(s.moreEvidence, 'more result')}`) : null,
  );
}

/** Why a sample's trajectory is not in the report, in words. */
export function whyMissing(key: number, details: ReportDetails | undefined): string {
  if (!details) return 'This report carries no trajectories.';
  const unreadable = details.unreadable[String(key)];
  if (unreadable) return `Its trajectory could not be read: ${unreadable}`;
  if (details.budgetSpent)
    return `Its trajectory did not fit in the report's ${details.budgetMb} MB budget (failures go first); make the report again with a larger gog report --report-mb.`;
  return 'Its trajectory is not in this report.';
}

export class SamplePane {
  readonly element = el('aside', { class: 'sample-detail', attrs: { role: 'region', 'aria-label': 'Sample', tabindex: '-1' } });
  private key: number | undefined;
  /** The address was changed by us, so Back returns to where the page was. */
  private pushed = false;

  constructor(
    private readonly row: (key: number) => ReviewRow | undefined,
    private readonly details: () => ReportDetails | undefined,
    /** Called after closing, to give the focus back to the table. */
    private readonly closed: (key: number) => void,
  ) {
    this.element.hidden = true;
    window.addEventListener('hashchange', () => this.followAddress());
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.key !== undefined && !e.defaultPrevented) this.close();
    });
  }

  /** The sample named in the address, once the table can name it (a report opened at #sample-12). */
  followAddress(): void {
    const m = HASH.exec(location.hash);
    const key = m ? Number(m[1]) : undefined;
    if (key !== undefined && this.row(key)) this.show(key);
    else if (key === undefined && this.key !== undefined) this.hide();
  }

  open(key: number): void {
    if (location.hash === `#sample-${key}`) return this.show(key);
    this.pushed = true;
    location.hash = `sample-${key}`;
  }

  close(): void {
    if (this.key === undefined) return;
    if (this.pushed) {
      this.pushed = false;
      history.back();
    } else {
      history.replaceState(null, '', location.pathname + location.search);
      this.hide();
    }
  }

  get shown(): number | undefined {
    return this.key;
  }

  private hide(): void {
    const key = this.key;
    this.key = undefined;
    this.element.hidden = true;
    clear(this.element);
    if (key !== undefined) this.closed(key);
  }

  private show(key: number): void {
    const r = this.row(key);
    if (!r) return;
    this.key = key;
    clear(this.element);
    const cause = causeOfRow(r);
    const got = readSample(key);
    append(
      this.element,
      el(
        'div',
        { class: 'sd-head' },
        el('h2', { class: 'sd-id' }, r.id + (r.rollout ? ` #${r.rollout}` : '')),
        el('span', { class: `cause cause-${cause}` }, CAUSE_LABELS[cause]),
        el(
          'button',
          { class: 'sd-close', title: 'Close (Escape)', attrs: { type: 'button', 'aria-label': 'Close the sample' }, on: { click: () => this.close() } },
          '✕',
        ),
      ),
      el('p', { class: 'sd-question text' }, r.question),
      el(
        'p',
        { class: 'detail-answers' },
        el('span', { class: 'dim' }, 'answer '),
        el('span', { class: r.answer === null ? 'dim' : rowIsRight(r) ? 'right' : 'wrong' }, r.answer ?? 'none'),
        el('span', { class: 'dim' }, ' · gold '),
        r.gold.join(' | ') || '—',
      ),
    );
    if (typeof got === 'string') {
      append(
        this.element,
        el('p', { class: 'sd-missing' }, got === 'not in the page' ? whyMissing(key, this.details()) : `Its trajectory cannot be shown: ${got}.`),
      );
    } else {
      const d = got.detail;
      append(
        this.element,
        got.image ? figure(got.image, d.steps) : el('p', { class: 'dim' }, d.imageNote ? `No image: ${d.imageNote}.` : 'No image in the report.'),
        el(
          'p',
          { class: 'dim' },
          `${plural(d.steps.length, 'turn')} · stopped: ${d.stop.replace('_', ' ')}${d.error ? ` (${d.error})` : ''}${d.label ? ` · labelled ${d.label}` : ''}`,
        ),
        d.note ? el('p', { class: 'sd-note text' }, d.note) : null,
        el('ol', { class: 'sd-steps' }, ...d.steps.map(stepView)),
        d.problems.length ? el('p', { class: 'sd-error text' }, `Not shown: ${d.problems.join('; ')}`) : null,
      );
    }
    this.element.hidden = false;
    this.element.scrollTop = 0;
    this.element.focus({ preventScroll: true });
  }
}
