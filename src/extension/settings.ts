// The gog.* settings, read fresh for every run so a change takes effect without a reload.
// What they are, their defaults and ranges are declared once, in src/run/settingsSpec.ts.
import * as vscode from 'vscode';
import { settingsFromConfig, type RunSettings } from '../run/settingsSpec';

/**
 * Reads gog.* for a resource; relative folders resolve against `base` (the workspace
 * folder). A value of the wrong type or out of range throws a SettingError naming it.
 */
export function readSettings(scope: vscode.Uri | undefined, base: string, bundledCorpus: string, overrides: SettingOverrides = {}): RunSettings {
  const c = vscode.workspace.getConfiguration('gog', scope);
  // A value chosen for this run (Run Benchmark…'s preset or prompts folder) stands in for the setting and is checked as it would be.
  const given = new Map<string, unknown>(Object.entries(overrides).filter(([, v]) => v !== undefined));
  // `get` answers the default of a setting nobody set; a preset (gog.preset) is refused only beside one the user set.
  const isSet = (name: string) => {
    if (given.has(name)) return true;
    const i = c.inspect(name);
    return [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].some((v) => v !== undefined);
  };
  return settingsFromConfig((name) => (given.has(name) ? given.get(name) : c.get(name)), { base, defaults: { corpusDir: bundledCorpus } }, isSet);
}

/** Settings given for one run, by their gog.* name. */
export interface SettingOverrides {
  preset?: string;
  promptsFolder?: string;
}
