// What an editor needs besides the document, read each time a trajectory is shown (so a
// change of labels.json or of a setting is picked up on the next open): who annotates, the
// project's label scheme (the nearest `.gog/labels.json` inside the workspace folder, read
// by the reader `gog label` uses), and whether review is blind (gog.review.blind).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_LABEL_SCHEME, findLabelScheme, LabelSchemeError, type LabelScheme } from '../data/labelScheme';
import { annotatorFor } from './annotatorSetting';
import { BLIND_SETTING } from '../review/reviewSettings';

export interface EditorSetup {
  /** Undefined when no name can be found (saving says so). */
  annotator: string | undefined;
  scheme: LabelScheme;
  /** The scheme file could not be used (one line naming it): the default scheme is. */
  schemeWarning?: string;
  blind: boolean;
}

export async function editorSetupFor(file: string, log: vscode.LogOutputChannel): Promise<EditorSetup> {
  const uri = vscode.Uri.file(file);
  // Inside the workspace folder only; a trajectory outside any looks in its own folder.
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
  const [annotator, found] = await Promise.all([
    annotatorFor(file).catch(() => undefined),
    findLabelScheme(path.dirname(file), { root }).then(
      (scheme) => ({ scheme }),
      (e: unknown) => {
        if (!(e instanceof LabelSchemeError)) throw e;
        return { scheme: DEFAULT_LABEL_SCHEME, schemeWarning: `${e.message} (the default verdicts are used)` };
      },
    ),
  ]);
  const { scheme, schemeWarning } = found as { scheme: LabelScheme; schemeWarning?: string };
  if (schemeWarning) log.warn(`label scheme: ${schemeWarning}`);
  const blind = vscode.workspace.getConfiguration('gog', uri).get(BLIND_SETTING.name) === true;
  return { annotator, scheme, ...(schemeWarning ? { schemeWarning } : {}), blind };
}
