// Which run is which: the facts a run's header shows beside its name, from what bench.json
// recorded when the run started (the model, where it was asked, how it was asked, with what
// tools, at which commit of the workspace). Older runs show what they recorded.
import type { BenchMeta } from './benchRun';

/** Labelled facts in the order a header shows them. */
export type RunIdentity = [label: string, value: string][];

/** The host (and port) of an endpoint, without path or credentials: a run's "where". */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

export function runIdentity(meta: BenchMeta): RunIdentity {
  const s = meta.settings;
  const out: RunIdentity = [];
  const add = (label: string, value: string | undefined) => {
    if (value) out.push([label, value]);
  };
  add('model', text(s.model));
  add('endpoint', [...new Set(meta.endpoints.map(hostOf))].join(', ') || undefined);
  add('dialect', text(s.dialect));
  add('boxes', text(s.boxFormat));
  add('preset', text(s.preset));
  add(
    'prompts',
    meta.prompts.source === 'built-in' ? 'built-in' : `${meta.prompts.source}${meta.prompts.sha256 ? ` (${meta.prompts.sha256.slice(0, 8)})` : ''}`,
  );
  add('max turns', text(s.maxTurns));
  const search = [text(s.imageSearch) && `image: ${text(s.imageSearch)}`, text(s.textSearch) && `text: ${text(s.textSearch)}`].filter(Boolean).join(', ');
  add('search', search || undefined);
  if (meta.judge) add('judge', `${meta.judge.model} @ ${hostOf(meta.judge.endpoint)}`);
  add('gog', meta.tools.gog);
  const ws = meta.workspace;
  if (ws) add('commit', `${ws.commit.slice(0, 12)}${ws.branch ? ` (${ws.branch})` : ''}`);
  return out;
}
