// The run review webview's side of its protocol (src/shared/runsMessages.ts): posting to the
// extension, requests that get exactly one response (some with data), and the state kept
// across reloads. In a standalone report there is no extension: requests are refused and
// the state lives only as long as the page.
import type { Divergence, RunsRequest, RunsViewMessage, RunsViewState } from '../../src/shared/runsMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface RunsHost {
  /** False in a standalone report: nothing to open samples or start queues with. */
  readonly connected: boolean;
  post(message: RunsViewMessage): void;
  request(request: RunsRequest): Promise<{ divergence?: Divergence }>;
  resolve(requestId: number, ok: boolean, error?: string, divergence?: Divergence): void;
  state(): RunsViewState;
  saveState(patch: Partial<RunsViewState>): void;
}

export function connectRunsHost(): RunsHost {
  const api: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: { divergence?: Divergence }) => void; reject: (e: Error) => void }>();
  let saved = ((api?.getState() as RunsViewState | undefined) ?? {}) satisfies RunsViewState;
  return {
    connected: !!api,
    post: (message) => api?.postMessage(message),
    request(request) {
      if (!api) return Promise.reject(new Error('no extension to ask'));
      const requestId = nextId++;
      api.postMessage({ type: 'request', requestId, request } satisfies RunsViewMessage);
      return new Promise((resolve, reject) => pending.set(requestId, { resolve, reject }));
    },
    resolve(requestId, ok, error, divergence) {
      const p = pending.get(requestId);
      if (!p) return;
      pending.delete(requestId);
      if (ok) p.resolve(divergence ? { divergence } : {});
      else p.reject(new Error(error ?? 'request failed'));
    },
    state: () => saved,
    saveState(patch) {
      saved = { ...saved, ...patch };
      api?.setState(saved);
    },
  };
}
