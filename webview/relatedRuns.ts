// The runs this trajectory is related to: the one it branched from (a re-run from a turn)
// and its own branches. In an editor they are links that open the other trajectory, each
// with a button to keep one branch over the other; elsewhere the parent is plain text.
import type { TrajectoryHeader } from '../src/core/trajectory';
import type { ResponseOf } from '../src/shared/messages';
import { append, clear, el, icon } from './dom';

export interface RelatedRunsActions {
  open(file: string): void;
  /** Label `file` accepted and the other rejected; undefined where nothing can be labelled (not an editor). */
  keep?: (file: string) => void;
}

/** Draws into `into`: the host's answer to `related` when it came, else what the header says of the parent. */
export function renderRelatedRuns(into: HTMLElement, r: ResponseOf<'related'> | undefined, header: TrajectoryHeader | null, actions: RelatedRunsActions): void {
  clear(into);
  const link = (file: string, text: string) => {
    const b = el('button', { class: 'link-button', attrs: { type: 'button' }, title: file }, text);
    b.addEventListener('click', () => actions.open(file));
    return b;
  };
  const keep = (file: string, what: string) => {
    const b = el('button', { class: 'link-button keep-branch', attrs: { type: 'button' }, title: what }, icon('check'), ' Keep this branch');
    const onKeep = actions.keep;
    b.addEventListener('click', () => onKeep?.(file));
    return onKeep ? b : null;
  };
  const parent = r?.parent ?? (header?.parent ? { file: header.parent.file, label: header.parent.file, step: header.parent.step } : undefined);
  if (parent) {
    append(
      into,
      el(
        'div',
        { class: 'parent' },
        icon('git-branch'),
        ` A branch: re-run from turn ${parent.step ?? '?'} of `,
        r?.parent && !r.parent.missing
          ? link(parent.file, parent.file)
          : el('span', { class: 'text' }, `${parent.file}${r?.parent?.missing ? ' (not found)' : ''}`),
        r?.parent && !r.parent.missing ? ' · ' : null,
        r?.parent && !r.parent.missing ? keep(parent.file, 'Label this branch accepted and its parent rejected') : null,
      ),
    );
  }
  if (r?.branches.length) {
    append(
      into,
      el(
        'div',
        { class: 'branches' },
        icon('git-branch'),
        ` ${r.branches.length} branch${r.branches.length === 1 ? '' : 'es'}: `,
        el(
          'ul',
          {},
          ...r.branches.map((b) =>
            el(
              'li',
              {},
              link(b.file, b.file),
              el('span', { class: 'dim text' }, ` · from turn ${b.step ?? '?'}${b.answer !== undefined ? ` · answer: ${b.answer ?? '(none)'}` : ''} · `),
              keep(b.file, 'Label that branch accepted and this trajectory rejected'),
            ),
          ),
        ),
      ),
    );
  }
}
