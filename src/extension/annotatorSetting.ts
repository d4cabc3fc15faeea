// Who annotates in this window: gog.annotator, else the default `gog label` uses too
// (GOG_ANNOTATOR, the workspace's git user.name read from its files, the account's name).
// Read at each save, so a change of the setting takes effect without a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { annotatorNameProblem, defaultAnnotator } from '../data/annotatorName';
import { annotatorFromConfig } from '../review/reviewSettings';

/** The annotator for edits of `file`; throws a one-line error naming the setting when there is none. */
export async function annotatorFor(file: string): Promise<string> {
  const uri = vscode.Uri.file(file);
  const given = annotatorFromConfig(vscode.workspace.getConfiguration('gog', uri).get('annotator'), annotatorNameProblem);
  if (given) return given;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
  const name = await defaultAnnotator(folder);
  if (!name) throw new Error('no annotator name: set gog.annotator (or git config user.name) to save annotations');
  return name;
}
