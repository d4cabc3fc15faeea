// The exact matcher's ranking on a worker thread (rankOffThread.ts sends the jobs). It is
// milliseconds of arithmetic a search; on the main thread it held up everything else there:
// the replies of a benchmark's other samples, the extension host's messages.
import { parentPort } from 'node:worker_threads';
import { rankBySimilarity, type ImageSignature, type PlaceHint } from './imageMatch';

export interface RankJob {
  id: number;
  query: ImageSignature;
  candidates: { item: number; signature: ImageSignature; hint?: PlaceHint }[];
}

export type RankAnswer = { id: number; ranked: { item: number; score: number }[] } | { id: number; error: string };

parentPort?.on('message', (job: RankJob) => {
  let answer: RankAnswer;
  try {
    answer = { id: job.id, ranked: rankBySimilarity(job.query, job.candidates) };
  } catch (e) {
    answer = { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer);
});
