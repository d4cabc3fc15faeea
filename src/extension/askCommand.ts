// `Glance-or-Gaze: Ask About Image…`: pick an image, type a question, and run the agent
// in the window (runInWindow.ts), with the workspace's gog.* settings and the stored key.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import type { QueryOutcome } from '../run/runQuery';
import { getApiKey } from './apiKey';
import { getSearchCredentials } from './searchKeys';
import { newRunDir, runInWindow, type RunDeps } from './runInWindow';
import { readSettings } from './settings';
import { showError } from './safeOutput';

const IMAGE_FILTER = { Images: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'heif'] };

export interface AskOptions {
  /** Skip the input box (scripted use and tests). */
  question?: string;
}

/** The image the user is looking at, when the active tab is an image preview. */
function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) {
    const ext = path.extname(input.uri.fsPath).slice(1).toLowerCase();
    if (IMAGE_FILTER.Images.includes(ext)) return input.uri;
  }
  return undefined;
}

async function pickImage(given: unknown): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  const picked = await vscode.window.showOpenDialog({
    title: 'Glance-or-Gaze: image to ask about',
    canSelectMany: false,
    filters: IMAGE_FILTER,
    ...(activeImage() ? { defaultUri: activeImage() } : {}),
  });
  return picked?.[0];
}

export async function askAboutImage(deps: RunDeps, imageArg?: unknown, options?: AskOptions): Promise<QueryOutcome | undefined> {
  const { context, log } = deps;
  if (!vscode.workspace.isTrusted) {
    void showError(
      'Glance-or-Gaze does not run the agent in an untrusted workspace: its settings choose the endpoint that receives your API key. Trust the workspace to run it.',
    );
    log.warn('refused to run: the workspace is not trusted');
    return undefined;
  }
  const image = await pickImage(imageArg);
  if (!image) return undefined;
  if (image.scheme !== 'file') {
    void showError(`Glance-or-Gaze reads images from local files; ${image.toString(true)} is not one.`);
    return undefined;
  }
  const question =
    options?.question ??
    (await vscode.window.showInputBox({
      title: `Glance-or-Gaze: ask about ${path.basename(image.fsPath)}`,
      prompt: 'A question about the image; the agent may search before answering.',
      placeHolder: 'e.g. Which mission is this astronaut’s patch from?',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Type a question.'),
    }));
  if (question === undefined) return undefined;

  const { base, runDir } = newRunDir(deps, image);
  let settings;
  try {
    settings = readSettings(image, base, vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'corpus').fsPath);
  } catch (e) {
    // A setting of the wrong type or out of range: said once, naming it; nothing runs.
    log.error(oneLine(e));
    void showError(`Glance-or-Gaze: ${oneLine(e)}`);
    return undefined;
  }
  const apiKey = await getApiKey(context.secrets);
  log.info(
    `ask: ${path.basename(image.fsPath)} · "${question}" · ${settings.endpoint} · ${settings.model || '(first served model)'} · ${settings.dialect}, ${settings.boxFormat}`,
  );
  const cacheDir = path.join(base, '.gog', 'cache');
  const { keys: searchKeys, s3 } = await getSearchCredentials(context.secrets);
  return runInWindow(
    deps,
    {
      ...settings,
      image: image.fsPath,
      question,
      runDir,
      cacheDir,
      indexDir: path.join(cacheDir, 'index'),
      searchKeys,
      // SecretStorage's S3 keys over the environment's, for s3:// uploads.
      uploadEnv: { ...process.env, ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}) },
      ...(apiKey ? { apiKey } : {}),
    },
    path.basename(image.fsPath),
  );
}
