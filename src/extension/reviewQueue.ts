// Starts the annotation queue from a filtered set of samples: their trajectories go to
// `.gog/queues/<name>.json` (the paths, titled with the run and the whole filter) and the
// queue opens with `gog.openReviewQueue`, which the annotation side of the extension
// provides. Where that command is not there (yet), the queue file itself opens, so the list
// is not lost.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { projectOf, queueName, queuesDir, sampleTrajectory, writeQueue } from '../data/sampleFiles';
import { showInformation } from './safeOutput';

export const OPEN_REVIEW_QUEUE = 'gog.openReviewQueue';

/** The folder a run's queues go under: its workspace folder, else the folder holding its `.gog/runs/`. */
function queueBase(runDir: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(runDir));
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : projectOf(runDir);
}

export async function startReviewQueue(log: vscode.LogOutputChannel, runDir: string, trajectories: readonly string[], label: string): Promise<vscode.Uri> {
  if (!trajectories.length) throw new Error('no samples are listed');
  // Only trajectories really in the run folder go into a queue; the others are named in the log.
  const files: string[] = [];
  for (const rel of trajectories) {
    try {
      files.push(await sampleTrajectory(runDir, rel));
    } catch (e) {
      log.warn(`review queue: ${(e as Error).message}`);
    }
  }
  if (!files.length) throw new Error('none of the listed samples has its trajectory in the run folder');
  const run = path.basename(runDir);
  const file = await writeQueue(queuesDir(queueBase(runDir)), queueName(run, label), files, `${run}: ${label}`);
  const uri = vscode.Uri.file(file);
  log.info(`review queue: ${files.length} trajectories (${label}) in ${file}`);
  if ((await vscode.commands.getCommands(true)).includes(OPEN_REVIEW_QUEUE)) await vscode.commands.executeCommand(OPEN_REVIEW_QUEUE, uri);
  else {
    await vscode.window.showTextDocument(uri, { preview: false });
    void showInformation(`Glance-or-Gaze: ${files.length} samples (${label}) written to the review queue ${path.basename(file)}.`);
  }
  return uri;
}
