// The review queue's status-bar item while a queue is open: reviewed/total, this session's
// pace per hour and the time the rest takes at it (queuePace.ts), with a tooltip saying what
// each number is. Hidden when no queue is open. Redrawn when the queue changes, and each
// minute (the pace falls while the annotator reads).
import * as vscode from 'vscode';
import { paceText, paceTooltip, type PaceSummary } from '../review/queuePace';

export const QUEUE_STATUS_ID = 'gog.reviewQueue.status';

export interface PaceSource {
  readonly onDidChange: vscode.Event<void>;
  /** Undefined when no queue is open. */
  pace(now: number): PaceSummary | undefined;
}

export class QueueStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(QUEUE_STATUS_ID, vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly source: PaceSource) {
    this.item.name = 'Glance-or-Gaze: Review Queue';
    this.item.command = 'gog.reviewQueue.focus';
    this.disposables.push(source.onDidChange(() => this.render()));
    this.timer = setInterval(() => this.render(), 60_000);
    this.render();
  }

  private render(): void {
    const s = this.source.pace(Date.now());
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = `$(checklist) ${paceText(s)}`;
    this.item.tooltip = paceTooltip(s);
    this.item.accessibilityInformation = { label: `Review queue: ${paceText(s)}` };
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
