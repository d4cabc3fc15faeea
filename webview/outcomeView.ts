// The outcome: the answer, why the run stopped, gold answers and score, and totals.
import type { StopReason, TrajectoryHeader } from '../src/core/trajectory';
import { el, icon } from './dom';
import type { TrajectoryModel } from './model';
import { seconds } from './turnCard';

const STOP_LABELS: Record<StopReason, string> & Partial<Record<string, string>> = {
  answered: 'Answered',
  max_turns: 'Out of turns',
  cancelled: 'Cancelled',
  error: 'Failed',
  search_limit: 'Over a search limit',
  parse_error: 'Ended at an unreadable turn',
};

export function outcomeView(model: TrajectoryModel, running: boolean, status: string | undefined, editAnswer?: () => void): HTMLElement {
  const f = model.final;
  const t = model.totals;
  const gold = model.header?.gold;
  const state = running ? 'running' : f ? f.stopReason : 'incomplete';
  const rows: HTMLElement[] = [];
  if (running) rows.push(el('div', { class: 'status text', attrs: { role: 'status' } }, status ?? 'Running…'));
  if (f) {
    const answer = el('div', { class: 'final-answer text' }, f.answer ?? '(no answer)');
    if (editAnswer) {
      const edit = el(
        'button',
        { class: 'link-button edit-text', attrs: { type: 'button', 'aria-label': 'Edit the answer' }, title: 'Edit the answer (in its turn)' },
        icon('edit'),
      );
      edit.addEventListener('click', editAnswer);
      rows.push(el('div', { class: 'editable-text' }, answer, edit));
    } else rows.push(answer);
    if (f.error) rows.push(el('div', { class: 'error text', attrs: { role: 'alert' } }, f.error));
  } else if (!running) {
    rows.push(el('div', { class: 'note' }, 'The record has no final event: the run was interrupted, or is still being written.'));
  }
  if (gold?.length) {
    rows.push(
      el(
        'div',
        { class: 'gold' },
        el('span', { class: 'dim' }, 'Gold: '),
        el('span', { class: 'text' }, gold.join(' | ')),
        f?.score ? el('span', { class: `score ${f.score.exactMatch ? 'hit' : 'miss'}` }, ` · exact match ${f.score.exactMatch} · F1 ${f.score.f1}`) : null,
      ),
    );
  }
  rows.push(
    el(
      'div',
      { class: 'totals' },
      `${t.turns} turn${t.turns === 1 ? '' : 's'} · ${t.glances} glance${t.glances === 1 ? '' : 's'} · ${t.gazes} gaze${t.gazes === 1 ? '' : 's'} · ${t.textSearches} text search${t.textSearches === 1 ? '' : 'es'}` +
        (t.parseErrors ? ` · ${t.parseErrors} unreadable` : '') +
        (t.toolErrors ? ` · ${t.toolErrors} tool error${t.toolErrors === 1 ? '' : 's'}` : '') +
        ` · ${t.promptTokens + t.completionTokens} tokens (${t.promptTokens} in, ${t.completionTokens} out) · ${seconds(t.ms)}`,
    ),
  );
  return el(
    'section',
    { class: `outcome state-${state}`, attrs: { 'aria-label': 'Outcome' } },
    el(
      'div',
      { class: 'outcome-head' },
      icon(running ? 'loading' : state === 'answered' ? 'pass' : state === 'incomplete' ? 'question' : 'error'),
      el('span', { class: 'stop' }, running ? 'Running' : (STOP_LABELS[state] ?? 'Incomplete')),
    ),
    ...rows,
  );
}

export function headerView(header: TrajectoryHeader | null, title: string): HTMLElement {
  if (!header)
    return el(
      'header',
      { class: 'run-head' },
      el('h1', { class: 'question text' }, title),
      el('div', { class: 'error' }, 'This file has no readable trajectory header.'),
    );
  const m = header.model;
  return el(
    'header',
    { class: 'run-head' },
    el('h1', { class: 'question text' }, header.question),
    el(
      'div',
      { class: 'run-meta' },
      el('span', { class: 'text' }, m.name),
      ` · ${m.dialect} · ${m.boxFormat} · image ${header.image.oriented.width}×${header.image.oriented.height}, sent ${header.image.sent.width}×${header.image.sent.height}`,
      header.dataset ? ` · ${header.dataset}${header.sampleId ? ` #${header.sampleId}` : ''}` : '',
      el('span', { class: 'dim' }, ` · ${header.created}`),
    ),
  );
}
