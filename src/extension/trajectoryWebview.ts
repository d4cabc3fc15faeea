// One webview showing one trajectory, whether in a panel (a live run) or a custom editor
// (a file). Holds the protocol's host side: the HTML with its nonce and CSP, the `ready`
// handshake (nothing is posted before the webview listens), validated requests with one
// response each. Images reach the webview only as files of the run folder.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrajectoryEvent } from '../core/trajectory';
import { parseTrajectory } from '../core/trajectoryFile';
import { isWebUrl, viewMessageSchema, type HostMessage, type ViewRequest } from '../shared/messages';
import { newNonce, renderWebviewPage } from '../shared/webviewHtml';

/** Events in the first message of a large file; the rest follow in chunks small enough to validate without a stall. */
const FIRST_CHUNK = 200;
const CHUNK = 500;

export interface WebviewHandlers {
  cancel?: () => void;
}

export function webviewOptions(extensionUri: vscode.Uri, runDir: string): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // The bundle and this run's folder, nothing else.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.file(runDir)],
  };
}

export class TrajectoryWebview implements vscode.Disposable {
  private ready = false;
  /** The panel was closed; a live run may go on and keep posting. */
  private disposed = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private handlers: WebviewHandlers = {};

  constructor(
    private readonly webview: vscode.Webview,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    webview.html = this.html();
  }

  setHandlers(handlers: WebviewHandlers): void {
    this.handlers = handlers;
  }

  private html(): string {
    const asset = (name: string) => this.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    const source = this.webview.cspSource;
    return renderWebviewPage({
      title: 'Glance-or-Gaze trajectory',
      nonce: newNonce(),
      imageSources: source,
      styleSources: source,
      fontSources: source,
      styles: [{ href: asset('codicon.css') }, { href: asset('main.css') }],
      scripts: [{ src: asset('main.js') }],
    });
  }

  /** Posts now if the webview listens, otherwise once it says it is ready. */
  post(message: HostMessage): void {
    if (this.disposed) return;
    if (this.ready) void this.webview.postMessage(message);
    else this.queue.push(message);
  }

  private receive(raw: unknown): void {
    const parsed = viewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`trajectory view: ignored a message outside the protocol (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = true;
      for (const m of this.queue.splice(0)) void this.webview.postMessage(m);
      return;
    }
    void this.answer(message.requestId, message.request);
  }

  private async answer(requestId: number, request: ViewRequest): Promise<void> {
    let error: string | undefined;
    try {
      switch (request.method) {
        case 'openExternal':
          // Links come from web search results: only http(s), and the user sees VS Code's own prompt.
          if (!isWebUrl(request.url)) throw new Error('only http and https links are opened');
          await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
          break;
        case 'cancel':
          if (!this.handlers.cancel) throw new Error('nothing is running');
          this.handlers.cancel();
          break;
      }
    } catch (e) {
      error = (e as Error).message;
    }
    this.post({ type: 'response', requestId, ok: error === undefined, ...(error ? { error } : {}) });
  }

  /** Shows a trajectory file; large ones arrive in chunks so the first turns paint at once. */
  async showFile(file: string, live = false): Promise<void> {
    this.showText(await fs.readFile(file, 'utf8'), file, live);
  }

  showText(text: string, file: string, live: boolean): void {
    const t = parseTrajectory(text, file);
    const events = t.events;
    this.post({
      type: 'init',
      title: path.basename(path.dirname(file)),
      source: file,
      header: t.header ?? null,
      events: events.slice(0, FIRST_CHUNK),
      problems: t.problems,
      assetBase: this.webview.asWebviewUri(vscode.Uri.file(path.dirname(file))).toString(),
      live,
      complete: events.length <= FIRST_CHUNK,
    });
    for (let i = FIRST_CHUNK; i < events.length; i += CHUNK) {
      this.post({ type: 'events', events: events.slice(i, i + CHUNK), complete: i + CHUNK >= events.length });
    }
  }

  postEvent(event: TrajectoryEvent): void {
    this.post({ type: 'events', events: [event], complete: false });
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
