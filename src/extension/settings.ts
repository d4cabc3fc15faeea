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
  // `get` answers the default of a setting nobody set; a preset (gog.preset) is refused only beside one the user set.
  const isSet = (name: string) => {
    const i = c.inspect(name);
    return [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].some((v) => v !== undefined);
  };
  return settingsFromConfig((name) => c.get(name), { base, defaults: { corpusDir: bundledCorpus } }, isSet);
}
