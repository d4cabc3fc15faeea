// The webview's side of the protocol: how it posts to the extension (or, in a standalone
// report, to nothing), request/response by id with each result checked against its
// method's schema (protocolChecks.ts), and the state kept across reloads.
import type { RequestMethod, ResponseOf, ViewMessage, ViewRequest, ViewState } from '../src/shared/messages';
import { checkResponse } from '../src/shared/protocolChecks';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  /** Whether an extension listens (not in a standalone report). */
  readonly connected: boolean;
  post(message: ViewMessage): void;
  request<R extends ViewRequest>(request: R): Promise<ResponseOf<R['method']>>;
  resolve(requestId: number, ok: boolean, result: unknown, error?: string): void;
  state(): ViewState;
  saveState(state: ViewState): void;
}

interface Waiting {
  method: RequestMethod;
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
}

export function connectHost(): Host {
  const api: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  let nextId = 1;
  const pending = new Map<number, Waiting>();
  let saved: ViewState = (api?.getState() as ViewState | undefined) ?? {};
  return {
    connected: !!api,
    post: (message) => api?.postMessage(message),
    request<R extends ViewRequest>(request: R) {
      if (!api) return Promise.reject(new Error('no extension to ask'));
      const requestId = nextId++;
      api.postMessage({ type: 'request', requestId, request } satisfies ViewMessage);
      return new Promise<ResponseOf<R['method']>>((resolve, reject) =>
        pending.set(requestId, { method: request.method, resolve: resolve as (result: unknown) => void, reject }),
      );
    },
    resolve(requestId, ok, result, error) {
      const p = pending.get(requestId);
      if (!p) return;
      pending.delete(requestId);
      if (!ok) return p.reject(new Error(error ?? 'request failed'));
      const checked = checkResponse(p.method, result ?? null);
      if (checked.ok) p.resolve(checked.value);
      else p.reject(new Error(`the answer to ${p.method} is not what the protocol says: ${checked.error}`));
    },
    state: () => saved,
    saveState(state) {
      saved = state;
      api?.setState(state);
    },
  };
}
