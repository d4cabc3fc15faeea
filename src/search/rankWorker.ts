// The exact matcher's ranking on a worker thread (rankOffThread.ts sends the jobs). It is
// milliseconds of arithmetic a search; on the main thread it held up everything else there:
// the replies of a benchmark's other samples, the extension host's messages.
import { parentPort } from 'node:worker_threads';
import { rankBySimilarity } from './imageMatch';
import { unpackJob, type PackedJob } from './rankPacking';

export type RankJob = PackedJob & { id: number };

/** The ranking, or why not; the job's buffer goes back with it, to be packed again. */
export type RankAnswer = ({ ranked: { item: number; score: number }[] } | { error: string }) & { id: number; buffer: ArrayBuffer };

parentPort?.on('message', (job: RankJob) => {
  let answer: RankAnswer;
  try {
    const { query, candidates } = unpackJob(job);
    answer = { id: job.id, buffer: job.buffer, ranked: rankBySimilarity(query, candidates) };
  } catch (e) {
    answer = { id: job.id, buffer: job.buffer, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer, [job.buffer]);
});
