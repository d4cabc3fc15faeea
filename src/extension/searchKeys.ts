// Keys of the search services (SerpApi, Serper, Brave, Tavily, Google Vision, Jina) and the
// S3 credentials of uploads live in SecretStorage, one secret per service; the environment
// variable each service names (SERPAPI_API_KEY, …) is the fallback. Never in settings.
import * as vscode from 'vscode';
import { SERVICE_INFO, SERVICES, type Service } from '../search/services';
import { showInformation } from './safeOutput';

/** What can be given a key: every service that takes one, and S3 for uploads (ACCESS_KEY_ID:SECRET_ACCESS_KEY). */
export const KEYED = [...SERVICES.filter((s) => SERVICE_INFO[s].keyEnv), 's3'] as const;
export type Keyed = (typeof KEYED)[number];

const secretName = (target: Keyed) => `gog.searchKey.${target}`;

export interface SearchCredentials {
  keys: Partial<Record<Service, string>>;
  s3?: { accessKeyId: string; secretAccessKey: string };
}

export async function getSearchCredentials(secrets: vscode.SecretStorage, env: NodeJS.ProcessEnv = process.env): Promise<SearchCredentials> {
  const keys: Partial<Record<Service, string>> = {};
  for (const s of SERVICES) {
    const envName = SERVICE_INFO[s].keyEnv;
    if (!envName) continue;
    const key = (await secrets.get(secretName(s))) || env[envName]?.trim();
    if (key) keys[s] = key;
  }
  const stored = await secrets.get(secretName('s3'));
  const [id, secret] = stored
    ? [stored.slice(0, stored.indexOf(':')), stored.slice(stored.indexOf(':') + 1)]
    : [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY];
  return id && secret ? { keys, s3: { accessKeyId: id, secretAccessKey: secret } } : { keys };
}

function label(target: Keyed): string {
  return target === 's3' ? 'Amazon S3 (uploads for Lens)' : SERVICE_INFO[target].label;
}

/**
 * `Glance-or-Gaze: Set Search API Key…`: picks the service, then asks for its key (masked);
 * an empty key removes it. Scripts and tests may pass `{ service, key }`.
 */
export async function setSearchKeyCommand(secrets: vscode.SecretStorage, given?: unknown): Promise<boolean> {
  const arg = given && typeof given === 'object' ? (given as { service?: unknown; key?: unknown }) : {};
  let target = typeof arg.service === 'string' && (KEYED as readonly string[]).includes(arg.service) ? (arg.service as Keyed) : undefined;
  if (!target) {
    const items = await Promise.all(
      KEYED.map(async (t) => ({
        label: label(t),
        description: (await secrets.get(secretName(t))) ? 'stored' : t === 's3' ? 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY' : (SERVICE_INFO[t].keyEnv ?? ''),
        target: t,
      })),
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Glance-or-Gaze: which search service?',
      placeHolder: 'The key is stored in SecretStorage',
    });
    if (!picked) return false;
    target = picked.target;
  }
  const key =
    typeof arg.key === 'string'
      ? arg.key
      : await vscode.window.showInputBox({
          title: `Glance-or-Gaze: ${label(target)} key`,
          prompt:
            target === 's3'
              ? 'ACCESS_KEY_ID:SECRET_ACCESS_KEY. Stored in VS Code SecretStorage, never in settings. Leave empty to remove.'
              : 'Stored in VS Code SecretStorage, never in settings. Leave empty to remove the stored key.',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (target === 's3' && v.trim() && !/^[^:]+:.+$/.test(v.trim()) ? 'Give ACCESS_KEY_ID:SECRET_ACCESS_KEY' : undefined),
        });
  if (key === undefined) return false;
  if (key.trim() === '') {
    await secrets.delete(secretName(target));
    void showInformation(`Glance-or-Gaze: the stored ${label(target)} key was removed.`);
  } else {
    await secrets.store(secretName(target), key.trim());
    void showInformation(`Glance-or-Gaze: ${label(target)} key stored in SecretStorage.`);
  }
  return true;
}
