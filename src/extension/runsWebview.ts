// The host side of the run review webview's protocol (src/shared/runsMessages.ts), for
// its panels (one run, runs compared, a trajectory diff): the page with its nonce and CSP, the
// `ready` handshake, validated requests with exactly one response each. A webview whose
// tab is hidden is rebuilt when it comes back (no retainContextWhenHidden: its state is
// kept with setState instead), and says `ready` again: the panel then sends its data anew.
import * as vscode from 'vscode';
import { runsViewMessageSchema, type Divergence, type RunsHostMessage, type RunsRequest, type RunsViewMessage } from '../shared/runsMessages';
import { newNonce, renderWebviewPage } from '../shared/webviewHtml';

export interface RunsWebviewHandlers {
  /** The webview (re)started and listens: send it everything it shows. */
  ready(): void;
  /** A request; resolves with the data of its response, rejects with a one-line reason. */
  request(request: RunsRequest): Promise<{ divergence?: Divergence } | void>;
  /** A trajectory search asked for (a panel without one ignores it). */
  find?(message: Extract<RunsViewMessage, { type: 'find' }>): void;
}

/** The bundle only (the review views show no images of their own), and for a trajectory diff the two trajectories' folders. */
export function runsWebviewOptions(extensionUri: vscode.Uri, folders: readonly string[] = []): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), ...folders.map((f) => vscode.Uri.file(f))] };
}

export class RunsWebview implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private queue: RunsHostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handlers: RunsWebviewHandlers,
  ) {
    this.disposables.push(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    webview.html = renderWebviewPage({
      title: 'Glance-or-Gaze runs',
      nonce: newNonce(),
      imageSources: webview.cspSource,
      styleSources: webview.cspSource,
      fontSources: webview.cspSource,
      styles: [{ href: asset('codicon.css') }, { href: asset('runs.css') }],
      scripts: [{ src: asset('runs.js') }],
    });
  }

  /** The tab was hidden: the webview is gone until it is shown again and says ready. */
  hidden(): void {
    this.ready = false;
  }

  /** Posts now if the webview listens, otherwise once it says it is ready. */
  post(message: RunsHostMessage): void {
    if (this.disposed) return;
    if (this.ready) void this.webview.postMessage(message);
    else this.queue.push(message);
  }

  private receive(raw: unknown): void {
    const parsed = runsViewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`runs view: ignored a message outside the protocol (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      // A rebuilt webview: what was queued for the old one is sent again by ready().
      this.ready = true;
      this.queue = [];
      this.handlers.ready();
      return;
    }
    if (message.type === 'find') {
      this.handlers.find?.(message);
      return;
    }
    const { requestId, request } = message;
    this.handlers.request(request).then(
      (data) => this.post({ type: 'response', requestId, ok: true, ...(data ?? {}) }),
      (e: unknown) => {
        const error = e instanceof Error ? e.message : String(e);
        this.log.warn(`runs view: ${request.method}: ${error}`);
        this.post({ type: 'response', requestId, ok: false, error });
      },
    );
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
