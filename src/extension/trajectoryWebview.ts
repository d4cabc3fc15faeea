// One webview showing one trajectory, whether in a panel (a live run) or a custom editor
// (a file). Holds the protocol's host side: the page with its nonce and CSP, set once the
// first message is known so it travels inside the page (trajectoryPage.ts), the `ready`
// handshake (nothing else is posted before the webview listens), validated requests with
// one response each. Images reach the webview only as files of the run folder, and only those
// that are regular files really inside it (a symlink out is refused: runAssets.ts);
// localResourceRoots alone would let a link inside the folder through.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { parseTrajectory, type LoadedTrajectory } from '../core/trajectoryFile';
import { readAnnotatedTrajectory } from '../core/annotationFiles';
import { referencedAssets } from '../core/referencedImages';
import { describeRefused, RunAssets } from '../data/runAssets';
import {
  isWebUrl,
  responseSchemas,
  viewMessageSchema,
  type HostMessage,
  type Pending,
  type RequestMethod,
  type ResponseOf,
  type ViewRequest,
} from '../shared/messages';
import { readTrajectoryStyles, renderTrajectoryPage, type InitMessage } from '../shared/trajectoryPage';
import { newNonce } from '../shared/webviewHtml';

/** Events in the first message of a large file; the rest follow in chunks small enough to validate without a stall. */
const FIRST_CHUNK = 200;
const CHUNK = 500;
/** Larger trajectories are refused with a message: parsed, they would not fit the extension host. */
export const MAX_VIEW_TRAJECTORY_BYTES = 256 * 1024 * 1024;

/** What a view may ask beyond opening links, by method; a method without a handler is refused. */
export type RequestHandlers = {
  [M in Exclude<RequestMethod, 'openExternal'>]?: (request: Extract<ViewRequest, { method: M }>) => Promise<ResponseOf<M>>;
};

export type QueueStatus = Omit<Extract<HostMessage, { type: 'queue' }>, 'type'>;

/** What an editor's init says beyond the document: who annotates, the label scheme, blind review. */
export type EditorInit = Pick<Extract<HostMessage, { type: 'init' }>, 'annotator' | 'scheme' | 'schemeWarning' | 'blind'>;

export function webviewOptions(extensionUri: vscode.Uri, runDir: string): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // The bundle and this run's folder, nothing else.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.file(runDir)],
  };
}

export class TrajectoryWebview implements vscode.Disposable {
  private ready = false;
  /** The page is set (with the first message in it when it fitted). */
  private paged = false;
  /** The panel was closed; a live run may go on and keep posting. */
  private disposed = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private handlers: RequestHandlers = {};
  /** Messages leave in order even when one waits for its images to be checked. */
  private outbox: Promise<void> = Promise.resolve();
  private assets: RunAssets | undefined;

  /** `rebuilt`: the webview was made anew from the page (a hidden tab shown again) and needs what it shows sent again. */
  constructor(
    private readonly webview: vscode.Webview,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly rebuilt?: () => void,
  ) {
    this.disposables.push(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
  }

  setHandlers(handlers: RequestHandlers): void {
    this.handlers = handlers;
  }

  /** Sets the page, once; true when `init` went inside it (so it is not posted). */
  private async setPage(init?: InitMessage): Promise<boolean> {
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const asset = (name: string) => this.webview.asWebviewUri(vscode.Uri.joinPath(bundle, name)).toString();
    const styles = await readTrajectoryStyles(bundle.fsPath);
    if (this.disposed || this.paged) return false;
    const page = renderTrajectoryPage({
      nonce: newNonce(),
      source: this.webview.cspSource,
      scriptUrl: asset('main.js'),
      fontUrl: asset('codicon.ttf'),
      styles,
      init,
    });
    this.webview.html = page.html;
    this.paged = true;
    return page.embedded;
  }

  /**
   * Posts (in order) now if the webview listens, otherwise once it says it is ready. The
   * first message decides the page: an `init` that fits is embedded in it, not posted.
   */
  post(message: HostMessage | (() => Promise<HostMessage>)): void {
    this.outbox = this.outbox
      .then(async () => {
        const m = typeof message === 'function' ? await message() : message;
        if (this.disposed) return;
        if (!this.paged && (await this.setPage(m.type === 'init' ? m : undefined))) return;
        if (this.ready) void this.webview.postMessage(m);
        else this.queue.push(m);
      })
      .catch((e: unknown) => this.log.error(`trajectory view: ${(e as Error).message}`));
  }

  /** Webview URLs of the images these events (and the header) name that may be shown; the others with why. */
  private async checkedAssets(
    events: readonly TrajectoryEvent[],
    header?: TrajectoryHeader,
  ): Promise<{ assets: Record<string, string>; refused?: Record<string, string> }> {
    const assets: Record<string, string> = {};
    const refused: Record<string, string> = {};
    if (!this.assets) return { assets };
    for (const check of await this.assets.checkAll(referencedAssets(header, events))) {
      if (check.ok) assets[check.rel] = this.webview.asWebviewUri(vscode.Uri.file(path.join(this.assets.dir, check.rel))).toString();
      else {
        refused[check.rel] = check.reason;
        // A missing image is ordinary (a run still writing); one that points elsewhere is worth a line.
        if (!/missing/.test(check.reason)) this.log.warn(`${this.assets.dir}: ${describeRefused(check)}`);
      }
    }
    return Object.keys(refused).length ? { assets, refused } : { assets };
  }

  private receive(raw: unknown): void {
    const parsed = viewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`trajectory view: ignored a message outside the protocol (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      if (this.ready) {
        // A second `ready`: the page was loaded again and shows only what is embedded in it.
        this.rebuilt?.();
        return;
      }
      this.ready = true;
      for (const m of this.queue.splice(0)) void this.webview.postMessage(m);
      return;
    }
    void this.answer(message.requestId, message.request);
  }

  private async answer(requestId: number, request: ViewRequest): Promise<void> {
    try {
      // The result must be what the protocol promises the view (it checks too).
      const result: unknown = responseSchemas[request.method].parse(await this.dispatch(request));
      this.post({ type: 'response', requestId, ok: true, result });
    } catch (e) {
      this.post({ type: 'response', requestId, ok: false, error: (e as Error).message });
    }
  }

  private async dispatch(request: ViewRequest): Promise<unknown> {
    if (request.method === 'openExternal') {
      // Links come from web search results: only http(s), and the user sees VS Code's own prompt.
      if (!isWebUrl(request.url)) throw new Error('only http and https links are opened');
      await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
      return null;
    }
    const handler = this.handlers[request.method] as ((r: typeof request) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(request.method === 'cancel' ? 'nothing is running' : `${request.method} is not available in this view`);
    return handler(request);
  }

  /** Shows a trajectory file (read as a stream); large ones arrive in chunks so the first turns paint at once. */
  async showFile(file: string, live = false): Promise<void> {
    let t: LoadedTrajectory;
    try {
      t = await readAnnotatedTrajectory(file, { maxBytes: MAX_VIEW_TRAJECTORY_BYTES });
    } catch (e) {
      // The panel still gets its (empty) page rather than staying blank.
      this.post(async () => ({ type: 'status', running: false, message: (e as Error).message }));
      throw e;
    }
    this.show(t, file, live);
  }

  showText(text: string, file: string, live: boolean): void {
    this.show(parseTrajectory(text, file), file, live);
  }

  /** An editor's document: editing on, with the annotations not saved yet. */
  showDocument(t: LoadedTrajectory, file: string, pending: Pending, editor: EditorInit): void {
    this.show(t, file, false, { pending, editor });
  }

  private show(t: LoadedTrajectory, file: string, live: boolean, editing?: { pending: Pending; editor: EditorInit }): void {
    const pending = editing?.pending;
    const events = t.events;
    this.assets = new RunAssets(path.dirname(file));
    const first = events.slice(0, FIRST_CHUNK);
    const complete = events.length <= FIRST_CHUNK;
    this.post(async () => ({
      type: 'init',
      title: path.basename(path.dirname(file)),
      source: file,
      header: t.header ?? null,
      events: first,
      problems: t.problems,
      ...(await this.checkedAssets(first, t.header)),
      live,
      complete,
      ...(pending
        ? {
            editable: true,
            ...(complete ? { pending } : {}),
            ...editing?.editor,
          }
        : {}),
    }));
    for (let i = FIRST_CHUNK; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK);
      const last = i + CHUNK >= events.length;
      this.post(async () => ({ type: 'events', events: chunk, complete: last, ...(await this.checkedAssets(chunk)), ...(pending && last ? { pending } : {}) }));
    }
  }

  postEvent(event: TrajectoryEvent): void {
    this.postEvents([event], false);
  }

  /** Events added to the record; `pending` when they come with a change to what is unsaved (a save). */
  postEvents(events: TrajectoryEvent[], complete: boolean, pending?: Pending): void {
    this.post(async () => ({ type: 'events', events, complete, ...(await this.checkedAssets(events)), ...(pending ? { pending } : {}) }));
  }

  postPending(pending: Pending): void {
    this.post({ type: 'pending', ...pending });
  }

  postQueue(status: QueueStatus): void {
    this.post({ type: 'queue', ...status });
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
