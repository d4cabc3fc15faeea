// `Glance-or-Gaze: Show Agreement…` (gog.showAgreement): how far the annotators of a folder's
// trajectories (or a queue file's) agree, in a panel of the run review webview: the figures
// of `gog agreement` (src/data/agreement, the same function, read under a cancellable
// progress notification), and its conflicts as a list. A conflict opens in the trajectory
// editor, is adjudicated from the list (gog.adjudicate, as `gog label --adjudicate` writes
// it) and then shows settled; Review Conflicts opens the review queue over exactly the
// conflicts not yet settled.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import type { Label } from '../core/trajectory';
import { AgreementInputError, agreementOf, type AgreementRun } from '../data/agreement/agreementRun';
import { annotatorViews } from '../data/agreement/annotatorAgreement';
import { readSampleRecord } from '../data/agreement/readSample';
import { findLabelScheme } from '../data/labelScheme';
import { queueName, queuesDir, writeQueue } from '../data/sampleFiles';
import { MAX_SHOWN_CONFLICTS, type AgreementMessage } from '../shared/agreementMessage';
import type { RunsRequest } from '../shared/runsMessages';
import { ADJUDICATE_COMMAND, type Adjudication } from './adjudicateCommand';
import { OPEN_REVIEW_QUEUE } from './reviewQueue';
import type { RunPanelContext } from './runReviewPanel';
import { RunsWebview, runsWebviewOptions } from './runsWebview';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { showError, showInformation } from './safeOutput';

export const SHOW_AGREEMENT_COMMAND = 'gog.showAgreement';
export const AGREEMENT_PANEL_VIEW_TYPE = 'gog.agreement';
/** Notes sent to the panel at most (the log has them all). */
const MAX_NOTES = 200;

/** The agreement panel as scripts and tests see it. */
export interface AgreementApi {
  /** What the panel in front (or the last one opened) shows. */
  shown(): AgreementMessage | undefined;
  /** A request as the panel's buttons send it (open a conflict, adjudicate it, review the conflicts). */
  request(request: RunsRequest): Promise<void>;
}

/** Where the figures' paths start: the workspace folder holding the target, else the target's folder. */
function baseOf(target: string, isFolder: boolean): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target));
  if (folder?.uri.scheme === 'file') return folder.uri.fsPath;
  return isFolder ? target : path.dirname(target);
}

export class AgreementPanel implements vscode.Disposable {
  private static last: AgreementPanel | undefined;
  private readonly view: RunsWebview;
  private message: AgreementMessage;
  /** Each listed conflict's trajectory (absolute), in the report's order. */
  private readonly files: string[];
  private readonly disposables: vscode.Disposable[] = [];

  static get current(): AgreementPanel | undefined {
    return AgreementPanel.last;
  }

  static show(ctx: RunPanelContext, target: string, base: string, run: AgreementRun, verdicts: Label[]): AgreementPanel {
    AgreementPanel.last?.panel.dispose();
    const panel = vscode.window.createWebviewPanel(
      AGREEMENT_PANEL_VIEW_TYPE,
      `Agreement: ${path.basename(target)}`,
      vscode.ViewColumn.Active,
      runsWebviewOptions(ctx.extensionUri),
    );
    return new AgreementPanel(ctx, panel, target, base, run, verdicts);
  }

  private constructor(
    private readonly ctx: RunPanelContext,
    readonly panel: vscode.WebviewPanel,
    target: string,
    private readonly base: string,
    run: AgreementRun,
    verdicts: Label[],
  ) {
    AgreementPanel.last = this;
    const all = run.report.conflicts;
    this.files = all.map((c) => path.resolve(base, c.path));
    this.message = {
      type: 'agreement',
      target,
      report: { ...run.report, conflicts: all.slice(0, MAX_SHOWN_CONFLICTS) },
      conflictCount: all.length,
      notes: run.notes.slice(0, MAX_NOTES),
      verdicts,
    };
    this.view = new RunsWebview(panel.webview, ctx.extensionUri, ctx.log, { ready: () => this.view.post(this.message), request: (r) => this.answer(r) });
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.view.hidden();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get shown(): AgreementMessage {
    return this.message;
  }

  private conflictFile(index: number): string {
    const file = this.files[index];
    if (file === undefined) throw new Error(`there is no conflict ${index + 1}`);
    return file;
  }

  async answer(request: RunsRequest): Promise<void> {
    switch (request.method) {
      case 'openConflict':
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(this.conflictFile(request.index)), EDITOR_VIEW_TYPE, {
          viewColumn: vscode.ViewColumn.Beside,
          preview: false,
        });
        return;
      case 'adjudicate': {
        const file = this.conflictFile(request.index);
        const done = await vscode.commands.executeCommand<Adjudication | undefined>(ADJUDICATE_COMMAND, vscode.Uri.file(file), request.label);
        if (done) await this.settle(request.index);
        return;
      }
      case 'reviewConflicts':
        await this.reviewConflicts();
        return;
      case 'openSample':
      case 'startQueue':
      case 'editRun':
      case 'divergence':
      case 'baseline':
      case 'diff':
      case 'exportTable':
        throw new Error('the agreement view lists conflicts, not a run');
      default: {
        const never: never = request;
        throw new Error(`unknown request ${(never as RunsRequest).method}`);
      }
    }
  }

  /** Reads conflict `index` again (the one sample): its adjudicated verdict, as gog agreement reads it, is shown. */
  private async settle(index: number): Promise<void> {
    const file = this.conflictFile(index);
    const record = await readSampleRecord({ file, root: this.base });
    const { adjudicated } = annotatorViews(record);
    const conflicts = this.message.report.conflicts.map((c, i) => {
      if (i !== index) return c;
      const { adjudicated: _old, ...rest } = c;
      return adjudicated ? { ...rest, adjudicated } : rest;
    });
    this.message = { ...this.message, report: { ...this.message.report, conflicts } };
    this.view.post(this.message);
  }

  /** The conflicts no adjudicator has settled, as a queue file under .gog/queues/, opened in the review queue. */
  private async reviewConflicts(): Promise<void> {
    const all = this.message.report.conflicts;
    const open = this.files.filter((_, i) => i >= all.length || all[i]!.adjudicated === undefined);
    if (!open.length) {
      void showInformation('Glance-or-Gaze: every conflict is settled; nothing to review.');
      return;
    }
    const title = `conflicts in ${path.basename(this.message.target)}`;
    const file = await writeQueue(queuesDir(this.base), queueName(path.basename(this.message.target), 'conflicts'), open, title);
    this.ctx.log.info(`agreement: ${open.length} conflicts to review in ${file}`);
    await vscode.commands.executeCommand(OPEN_REVIEW_QUEUE, vscode.Uri.file(file));
  }

  dispose(): void {
    if (AgreementPanel.last === this) AgreementPanel.last = undefined;
    this.view.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function pickTarget(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Glance-or-Gaze: folder of annotated trajectories (or a queue file) to measure agreement on',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { 'Review queues': ['json'] },
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.[0]?.fsPath;
}

/** The command: a folder (Uri or path) given or picked, read under a cancellable progress notification, then shown. */
export async function showAgreementCommand(ctx: RunPanelContext, given?: unknown): Promise<AgreementMessage | undefined> {
  const target = given instanceof vscode.Uri ? given.fsPath : typeof given === 'string' && given ? path.resolve(given) : await pickTarget();
  if (!target) return undefined;
  const isFolder =
    (await vscode.workspace.fs.stat(vscode.Uri.file(target)).then(
      (s) => s.type,
      () => undefined,
    )) === vscode.FileType.Directory;
  const base = baseOf(target, isFolder);
  let run: AgreementRun | undefined;
  try {
    run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Glance-or-Gaze: agreement over ${path.basename(target)}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await agreementOf(target, base, controller.signal, (done, total) => {
            const share = (done / total) * 100;
            progress.report({ message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} trajectories`, increment: share - reported });
            reported = share;
          });
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (e) {
    if ((e as { name?: unknown } | undefined)?.name === 'AbortError') {
      ctx.log.info(`agreement over ${target}: cancelled`);
      return undefined;
    }
    const message = e instanceof AgreementInputError ? e.message : oneLine(e);
    ctx.log.error(`agreement over ${target}: ${message}`);
    void showError(`Glance-or-Gaze: no agreement figures: ${message}`);
    return undefined;
  }
  for (const note of run.notes) ctx.log.warn(`agreement: ${note}`);
  const scheme = await findLabelScheme(isFolder ? target : path.dirname(target)).catch(() => undefined);
  const verdicts = scheme?.verdicts.map((v) => v.label) ?? ['accepted', 'rejected', 'needs-fix'];
  return AgreementPanel.show(ctx, target, base, run, verdicts).shown;
}

/** The API: the panel shown last, and its requests. */
export const agreementApi: AgreementApi = {
  shown: () => AgreementPanel.current?.shown,
  request: async (r) => {
    const panel = AgreementPanel.current;
    if (!panel) throw new Error('no agreement panel is open');
    await panel.answer(r);
  },
};
