// The endpoint's API key lives in SecretStorage (the OS keyring), never in settings,
// logs or trajectories. OPENAI_API_KEY in the environment is the fallback.
import * as vscode from 'vscode';
import { showInformation } from './safeOutput';

const SECRET = 'gog.apiKey';

export async function getApiKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return (await secrets.get(SECRET)) || process.env.OPENAI_API_KEY || undefined;
}

/** `Glance-or-Gaze: Set API Key`: prompts (masked) unless given a key; an empty key removes it. */
export async function setApiKeyCommand(secrets: vscode.SecretStorage, given?: unknown): Promise<boolean> {
  const key =
    typeof given === 'string'
      ? given
      : await vscode.window.showInputBox({
          title: 'Glance-or-Gaze: API key for the model endpoint',
          prompt: 'Stored in VS Code SecretStorage, never in settings. Leave empty to remove the stored key.',
          password: true,
          ignoreFocusOut: true,
        });
  if (key === undefined) return false;
  if (key.trim() === '') {
    await secrets.delete(SECRET);
    void showInformation('Glance-or-Gaze: the stored API key was removed.');
  } else {
    await secrets.store(SECRET, key.trim());
    void showInformation('Glance-or-Gaze: API key stored in SecretStorage.');
  }
  return true;
}
