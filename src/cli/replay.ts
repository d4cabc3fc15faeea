// `gog replay`: serve recorded model turns as an OpenAI-compatible endpoint.
import { oneLine } from '../core/agent';
import { startReplayServer, type ReplayServer } from '../model/replayServer';
import { loadRecordedRuns, type RecordedRun } from '../run/recordedRuns';
import { recordedSearchesOf, recordedSearchRoutes } from '../search/recorded';
import { UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { REPLAY } from './commands';

async function loadRuns(files: string[], warn: (line: string) => void): Promise<RecordedRun[]> {
  try {
    return await loadRecordedRuns(files, warn);
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
}

export async function runReplay(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, REPLAY);
  const { values, positionals } = parsed;
  if (!positionals.length) throw new UsageError('give at least one trajectory file to replay');
  const port = values.port === undefined ? 0 : Number(values.port);
  const latencyMs = values.latency === undefined ? 0 : Number(values.latency);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535; got ${values.port}`);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new UsageError(`--latency must be milliseconds ≥ 0; got ${values.latency}`);
  const runs = await loadRuns(positionals, (l) => io.stderr(`gog: warning: ${l}`));
  const recordings = runs.map((r) => r.recording);
  // The runs' searches too (provider `recorded`), so model and search can both be re-run offline.
  const searches = (await Promise.all(runs.map((r) => recordedSearchesOf(r.trajectory)))).flat();
  let server: ReplayServer;
  try {
    server = await startReplayServer(recordings, { port, host: values.host ?? '127.0.0.1', latencyMs, routes: recordedSearchRoutes(searches) });
  } catch (e) {
    io.stderr(`gog: cannot start the replay server: ${oneLine(e)}`);
    return 1;
  }
  io.stdout(`replaying ${recordings.length} recording(s) at ${server.url}`);
  io.stdout(`models: ${server.models.join(', ')}`);
  io.stdout(`recorded searches: ${searches.length} (gog ask … --image-search recorded --text-search recorded)`);
  io.stdout('stop with Ctrl+C');
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  io.stdout(`served ${server.stats.chatRequests} chat requests; answering took ${Math.round(server.stats.answeringMs)} ms`);
  return 0;
}
