// The judge's API key lives in SecretStorage under its own name, apart from the model's: a run
// never sends the model's key to the judge's server, nor the judge's to the model's. Never in
// settings or logs. GOG_JUDGE_API_KEY in the environment (the CLI's) is the fallback.
import * as vscode from 'vscode';
import { showInformation } from './safeOutput';

const SECRET = 'gog.judgeApiKey';

export async function getJudgeApiKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return (await secrets.get(SECRET)) || process.env.GOG_JUDGE_API_KEY || undefined;
}

/** Where the judge's key comes from, for the Run Benchmark… list (never the key). */
export async function judgeKeySource(secrets: vscode.SecretStorage): Promise<'stored' | 'environment' | 'none'> {
  if (await secrets.get(SECRET)) return 'stored';
  return process.env.GOG_JUDGE_API_KEY ? 'environment' : 'none';
}

/** `Glance-or-Gaze: Set Judge API Key`: prompts (masked) unless given a key; an empty key removes it. */
export async function setJudgeApiKeyCommand(secrets: vscode.SecretStorage, given?: unknown): Promise<boolean> {
  const key =
    typeof given === 'string'
      ? given
      : await vscode.window.showInputBox({
          title: "Glance-or-Gaze: API key for the benchmark judge's endpoint",
          prompt: "Stored in VS Code SecretStorage, never in settings; sent only to the judge's endpoint. Leave empty to remove the stored key.",
          password: true,
          ignoreFocusOut: true,
        });
  if (key === undefined) return false;
  if (key.trim() === '') {
    await secrets.delete(SECRET);
    void showInformation("Glance-or-Gaze: the stored judge's API key was removed.");
  } else {
    await secrets.store(SECRET, key.trim());
    void showInformation("Glance-or-Gaze: the judge's API key is stored in SecretStorage.");
  }
  return true;
}
