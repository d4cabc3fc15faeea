// A search thread of `gog find` (findThreads.ts starts them): files in, matches out. The
// pattern runs here, never on the main thread, so a pattern that backtracks for minutes
// costs only this thread, which the main thread ends when the file's time is up (V8 stops a
// running regular expression when its thread is terminated). Files are searched one after
// another, in the order they come.
import { parentPort, workerData } from 'node:worker_threads';
import type { FoundFile } from '../export/findTrajectories';
import { compileQuery, type FindQuery } from './findQuery';
import { searchTrajectoryFile, type FileOutcome } from './searchFile';
import type { FoundMatch, TrajectoryInfo } from './trajectoryMatcher';

export interface FindWorkerData {
  query: FindQuery;
}

export type FindJob = FoundFile & { id: number };

export type FindAnswer =
  | { type: 'matches'; id: number; info: TrajectoryInfo; matches: FoundMatch[] }
  | { type: 'done'; id: number; outcome: FileOutcome }
  | { type: 'failed'; id: number; error: string };

const port = parentPort;
if (port) {
  const query = compileQuery((workerData as FindWorkerData).query);
  const post = (a: FindAnswer) => port.postMessage(a);
  let chain = Promise.resolve();
  port.on('message', (job: FindJob) => {
    chain = chain.then(async () => {
      try {
        const outcome = await searchTrajectoryFile(job, query, (info, matches) => post({ type: 'matches', id: job.id, info, matches }));
        post({ type: 'done', id: job.id, outcome });
      } catch (e) {
        post({ type: 'failed', id: job.id, error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}
