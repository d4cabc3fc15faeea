// The webview's side of the protocol: how it posts to the extension (or, in a standalone
// report, to nothing), request/response by id, and the state kept across reloads.
import type { ViewMessage, ViewRequest, ViewState } from '../src/shared/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(message: ViewMessage): void;
  request(request: ViewRequest): Promise<void>;
  resolve(requestId: number, ok: boolean, error?: string): void;
  state(): ViewState;
  saveState(state: ViewState): void;
}

export function connectHost(): Host {
  const api: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let saved: ViewState = (api?.getState() as ViewState | undefined) ?? {};
  return {
    post: (message) => api?.postMessage(message),
    request(request) {
      if (!api) return Promise.reject(new Error('no extension to ask'));
      const requestId = nextId++;
      api.postMessage({ type: 'request', requestId, request } satisfies ViewMessage);
      return new Promise<void>((resolve, reject) => pending.set(requestId, { resolve, reject }));
    },
    resolve(requestId, ok, error) {
      const p = pending.get(requestId);
      if (!p) return;
      pending.delete(requestId);
      if (ok) p.resolve();
      else p.reject(new Error(error ?? 'request failed'));
    },
    state: () => saved,
    saveState(state) {
      saved = state;
      api?.setState(state);
    },
  };
}
