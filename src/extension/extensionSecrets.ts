// The secrets in play in this window, for the log and notifications: the model's and the judge's keys, the
// search services' and S3's keys (SecretStorage, else the environment), every secret
// variable of the environment, and tokens in the URLs of the gog.* settings of every folder.
// Kept up to date as keys are stored and settings change. (Runs redact with their own
// settings' secrets besides: src/run/runSecrets.ts.)
import * as vscode from 'vscode';
import { Redactor } from '../core/redact';
import { runRedactor } from '../run/runSecrets';
import { getApiKey } from './apiKey';
import { getJudgeApiKey } from './judgeKey';
import { getSearchCredentials } from './searchKeys';

const URL_SETTINGS = ['endpoint', 'search.uploadUrl', 'search.publicUrl', 'search.summaryEndpoint'] as const;

function configuredUrls(): { urls: string[]; providerUrls: Record<string, string> } {
  const urls: string[] = [];
  const providerUrls: Record<string, string> = {};
  const scopes = [undefined, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
  scopes.forEach((scope, i) => {
    const c = vscode.workspace.getConfiguration('gog', scope);
    for (const name of URL_SETTINGS) {
      const v = c.get<unknown>(name);
      if (typeof v === 'string' && v) urls.push(v);
    }
    const given = c.get<unknown>('search.providerUrls');
    if (given && typeof given === 'object')
      for (const [k, v] of Object.entries(given as Record<string, unknown>)) if (typeof v === 'string') providerUrls[`${i}:${k}`] = v;
  });
  return { urls, providerUrls };
}

export class ExtensionSecrets implements vscode.Disposable {
  private redactor: Redactor = Redactor.none;
  private readonly watchers: vscode.Disposable[];

  constructor(private readonly storage: vscode.SecretStorage) {
    this.read();
    void this.refresh();
    this.watchers = [
      storage.onDidChange(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gog')) void this.refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()),
    ];
  }

  get current(): Redactor {
    return this.redactor;
  }

  /** What can be known at once: the environment and the settings. */
  private read(extra: Parameters<typeof runRedactor>[0] = {}): void {
    const { urls, providerUrls } = configuredUrls();
    this.redactor = runRedactor({ uploadEnv: process.env, providerUrls, extraEndpoints: urls, ...extra });
  }

  /** Reads SecretStorage again; should it fail, what the environment and settings give stays in force. */
  async refresh(): Promise<void> {
    let stored;
    try {
      stored = await Promise.all([getApiKey(this.storage), getSearchCredentials(this.storage), getJudgeApiKey(this.storage)]);
    } catch {
      return;
    }
    const [apiKey, { keys, s3 }, judgeKey] = stored;
    this.read({
      ...(apiKey ? { apiKey } : {}),
      ...(judgeKey ? { judge: { endpoint: '', apiKey: judgeKey } } : {}),
      searchKeys: keys,
      uploadEnv: { ...process.env, ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}) },
    });
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
  }
}
