// Ranks by similarity on one worker thread shared by every search of the process: the same
// function with the same inputs (the signatures' floats packed exactly: rankPacking.ts), so the
// same scores. The thread costs memory (a second V8 isolate, about 45 MB of the corpus bench's
// peak at 10,000 images) and gives the main thread back a few ms a search. Where
// no worker runs (it cannot start, or it stopped), the ranking happens on this thread instead:
// a search never fails for want of the thread.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { rankBySimilarity, type ImageSignature, type PlaceHint, type Ranked } from './imageMatch';
import { packJob } from './rankPacking';
import type { RankAnswer, RankJob } from './rankWorker';

type Candidate = { item: number; signature: ImageSignature; hint?: PlaceHint };

/** The thread allocates little (the signatures come in one reused buffer): a small young generation is enough. */
const LIMITS = { maxYoungGenerationSizeMb: 8 };

/** The worker as built beside the bundle (dist/rankWorker.js), or its source when this module runs under tsx (tests, the bench). */
function newWorker(): Worker | null {
  const built = path.join(__dirname, 'rankWorker.js');
  if (existsSync(built)) return new Worker(built, { resourceLimits: LIMITS });
  const source = path.join(__dirname, 'rankWorker.ts');
  // tsx's CommonJS hook: its ESM one does not reach a worker's entry file.
  if (existsSync(source)) return new Worker(source, { execArgv: ['--require', 'tsx/cjs'], resourceLimits: LIMITS });
  return null;
}

let worker: Worker | null | undefined;
let nextId = 1;
type Job = { query: ImageSignature; candidates: readonly Candidate[] };
const pending = new Map<number, { job: Job; resolve: (r: Ranked<number>[]) => void; reject: (e: Error) => void }>();
/** Buffers the thread gave back, to pack the next jobs into (as many as searches ran at once). */
const spares: ArrayBuffer[] = [];

/** The thread is gone: what it was given is ranked here, and so is everything after. */
function inline(): void {
  worker = null;
  for (const { job, resolve, reject } of pending.values()) {
    try {
      resolve(rankBySimilarity(job.query, job.candidates));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  pending.clear();
}

function started(): Worker | null {
  if (worker !== undefined) return worker;
  let w: Worker | null;
  try {
    w = newWorker();
  } catch {
    w = null;
  }
  if (!w) return (worker = null);
  w.on('message', (a: RankAnswer) => {
    spares.push(a.buffer);
    const p = pending.get(a.id);
    if (!p) return;
    pending.delete(a.id);
    if ('error' in a) p.reject(new Error(`image ranking failed: ${a.error}`));
    else p.resolve(a.ranked);
    // Idle, the thread does not keep the process alive.
    if (!pending.size) w.unref();
  });
  w.on('error', inline);
  w.on('exit', inline);
  w.unref();
  return (worker = w);
}

export function rankOffThread(query: ImageSignature, candidates: readonly Candidate[]): Promise<Ranked<number>[]> {
  const w = started();
  if (!w) return Promise.resolve(rankBySimilarity(query, candidates));
  const id = nextId++;
  const packed: RankJob = { id, ...packJob(query, candidates, spares.pop()) };
  return new Promise((resolve, reject) => {
    pending.set(id, { job: { query, candidates }, resolve, reject });
    w.ref();
    w.postMessage(packed, [packed.buffer]);
  });
}

/** Where rankings run now: on the worker, on this thread (no worker could run), or not yet decided. */
export function rankingThread(): 'worker' | 'this thread' | 'not started' {
  return worker === undefined ? 'not started' : worker ? 'worker' : 'this thread';
}
