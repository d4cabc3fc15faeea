// The review commands: the queue (open a folder, next, previous, resume, filter), labels for
// the active trajectory editor, and one edit of an open trajectory for scripts. Each returns
// what it did, so scripts and tests can follow.
import * as vscode from 'vscode';
import type { Label } from '../core/trajectory';
import { queueFilterSchema } from '../review/reviewQueue';
import { registerBulkLabel } from './bulkLabelCommand';
import { QueueStatusBar } from './queueStatusBar';
import { pickFilter, ReviewQueueView } from './reviewQueueView';
import type { TrajectoryEditorProvider } from './trajectoryEditor';

export const REVIEW_COMMANDS = {
  /** Also what the run review opens its queue files (.gog/queues/*.json) with. */
  openReviewQueue: 'gog.openReviewQueue',
  reviewFolderFromMenu: 'gog.review.openFolderFromMenu',
  next: 'gog.review.next',
  previous: 'gog.review.previous',
  resume: 'gog.review.resume',
  skip: 'gog.review.skip',
  flag: 'gog.review.flag',
  showFlagged: 'gog.review.showFlagged',
  /** The view's row button: the same toggle, titled for a menu. */
  flagFromMenu: 'gog.review.flagFromMenu',
  filter: 'gog.review.filter',
  clearFilter: 'gog.review.clearFilter',
  refresh: 'gog.review.refresh',
  accept: 'gog.review.accept',
  reject: 'gog.review.reject',
  needsFix: 'gog.review.needsFix',
  applyEdit: 'gog.trajectory.applyEdit',
} as const;

export function registerReviewCommands(context: vscode.ExtensionContext, editors: TrajectoryEditorProvider, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const queue = new ReviewQueueView(context, editors, log);
  void queue.restore();
  // A folder of trajectories, or a queue file listing them; a Uri or a path.
  const openFolder = async (given?: unknown) => {
    const folder =
      given instanceof vscode.Uri
        ? given
        : typeof given === 'string' && given
          ? vscode.Uri.file(given)
          : (
              await vscode.window.showOpenDialog({
                title: 'Glance-or-Gaze: folder of trajectories (or a queue file) to review',
                canSelectFiles: true,
                canSelectFolders: true,
                canSelectMany: false,
                filters: { 'Review queues': ['json'] },
                ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
              })
            )?.[0];
    if (!folder) return undefined;
    const counts = await queue.open(folder.fsPath);
    await vscode.commands.executeCommand('gog.reviewQueue.focus');
    return counts;
  };
  const label = (l: Label) => (note?: unknown) => editors.label(l, typeof note === 'string' ? note : undefined);
  const statusBar = new QueueStatusBar({ onDidChange: queue.onDidChange, pace: (now) => queue.paceAt(now) });
  return [
    queue,
    ...registerBulkLabel(queue, log),
    statusBar,
    vscode.commands.registerCommand(REVIEW_COMMANDS.openReviewQueue, openFolder),
    // From the Explorer the second argument is the selection, not options.
    vscode.commands.registerCommand(REVIEW_COMMANDS.reviewFolderFromMenu, (folder?: unknown) => openFolder(folder)),
    vscode.commands.registerCommand(REVIEW_COMMANDS.next, () => queue.move('next')),
    vscode.commands.registerCommand(REVIEW_COMMANDS.previous, () => queue.move('previous')),
    vscode.commands.registerCommand(REVIEW_COMMANDS.resume, () => queue.resume()),
    vscode.commands.registerCommand(REVIEW_COMMANDS.skip, () => queue.skip()),
    // From a row of the view the argument is its entry; from the palette or a key, the one the user is on.
    vscode.commands.registerCommand(REVIEW_COMMANDS.flag, (entry?: unknown) => queue.toggleFlag(entry)),
    vscode.commands.registerCommand(REVIEW_COMMANDS.flagFromMenu, (entry?: unknown) => queue.toggleFlag(entry)),
    vscode.commands.registerCommand(REVIEW_COMMANDS.showFlagged, () => {
      queue.setFilter({ ...queue.counts.filter, flagged: true });
      return queue.counts;
    }),
    vscode.commands.registerCommand(REVIEW_COMMANDS.filter, async (given?: unknown) => {
      const parsed = given === undefined ? undefined : queueFilterSchema.safeParse(given);
      if (parsed && !parsed.success) throw new Error(`not a review queue filter: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const filter = parsed?.data ?? (await pickFilter(queue.counts.filter));
      if (filter) queue.setFilter(filter);
      return queue.counts;
    }),
    vscode.commands.registerCommand(REVIEW_COMMANDS.clearFilter, () => {
      queue.setFilter({});
      return queue.counts;
    }),
    vscode.commands.registerCommand(REVIEW_COMMANDS.refresh, async () => (queue.source ? queue.open(queue.source) : undefined)),
    vscode.commands.registerCommand(REVIEW_COMMANDS.accept, label('accepted')),
    vscode.commands.registerCommand(REVIEW_COMMANDS.reject, label('rejected')),
    vscode.commands.registerCommand(REVIEW_COMMANDS.needsFix, label('needs-fix')),
    vscode.commands.registerCommand(REVIEW_COMMANDS.applyEdit, (uri?: unknown, edit?: unknown) => editors.applyEdit(uri, edit)),
  ];
}
