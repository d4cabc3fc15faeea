// The gog.* settings, read fresh for every run so a change takes effect without a reload.
// What they are, their defaults and ranges are declared once, in src/run/settingsSpec.ts.
import * as vscode from 'vscode';
import { settingsFromConfig, type RunSettings } from '../run/settingsSpec';

/**
 * Reads gog.* for a resource; relative folders resolve against `base` (the workspace
 * folder). A value of the wrong type or out of range throws a SettingError naming it.
 */
export function readSettings(scope: vscode.Uri | undefined, base: string, bundledCorpus: string): RunSettings {
  const c = vscode.workspace.getConfiguration('gog', scope);
  return settingsFromConfig((name) => c.get(name), { base, defaults: { corpusDir: bundledCorpus } });
}
