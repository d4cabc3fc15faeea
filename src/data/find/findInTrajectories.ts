// Search across trajectories: the files under the paths given (found as the walk goes:
// findTrajectories.ts), searched a few at a time on worker threads (findWorker.ts), matches
// handed on as they are found. Every search is bounded: each file has a time budget and so
// has the whole search. The pattern (a user's regular expression may backtrack for hours on
// one line) only ever runs on a search thread, and a thread over its file's budget is
// terminated, which stops V8 in the middle of the expression: the search ends at once with
// the reason, and so it does on the overall budget, on a cancel (Ctrl+C, a closed picker)
// and when the limit of matches is reached.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { trajectoryFiles, type FoundFile } from '../export/findTrajectories';
import { compileQuery, type FindQuery } from './findQuery';
import type { FindAnswer, FindJob, FindWorkerData } from './findWorker';
import { MAX_FIND_LINE_BYTES } from './searchFile';
import type { FoundMatch, TrajectoryInfo } from './trajectoryMatcher';

/** The longest one file may take; far above a real one (a 64 MB trajectory searches in about a second). */
export const DEFAULT_FILE_TIMEOUT_MS = 10_000;
/** The longest a whole search may take by default; 1 GB of trajectories takes seconds. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Files a thread is given beyond the one it is on, so it never waits for the next. */
const AHEAD = 1;
/** A search thread's heap: a 16 MB line parsed fits many times over. */
const THREAD_LIMITS = { maxOldGenerationSizeMb: 512 };

/** A match, with the file and trajectory it is in. */
export interface TrajectoryMatch extends FoundMatch {
  /** The trajectory file (absolute). */
  file: string;
  trajectory: TrajectoryInfo;
}

/** Why a search ended before it had searched everything. */
export type FindStop =
  { why: 'limit'; limit: number } | { why: 'file-timeout'; file: string; ms: number } | { why: 'timeout'; ms: number } | { why: 'cancelled' };

export interface FindSummary {
  /** Trajectory files found (so far, when stopped), and of them searched to their end. */
  found: number;
  searched: number;
  /** Files with a match. */
  matchedFiles: number;
  matches: number;
  /** Lines parsed that were not events the trajectory view reads. */
  unreadableLines: number;
  ms: number;
  /** When the first match came, from the start. */
  firstMatchMs?: number;
  stopped?: FindStop;
}

export interface FindOptions {
  /** Trajectory files and folders (searched recursively); relative to `cwd`. */
  paths: readonly string[];
  cwd: string;
  query: FindQuery;
  /** Stop after this many matches. */
  limit?: number;
  fileTimeoutMs?: number;
  timeoutMs?: number;
  /** Search threads (default: the cores, at most 4). */
  threads?: number;
  signal?: AbortSignal;
  onMatch: (match: TrajectoryMatch) => void;
  /** A path or line not searched, and why: one line. */
  onNote?: (line: string) => void;
}

function workerEntry(): { file: string; execArgv?: string[] } {
  const built = path.join(__dirname, 'findWorker.js');
  if (existsSync(built)) return { file: built };
  // Under tsx (tests, the bench): the source, with tsx's CommonJS hook (its ESM one does not reach a worker).
  const source = path.join(__dirname, 'findWorker.ts');
  if (existsSync(source)) return { file: source, execArgv: ['--require', 'tsx/cjs'] };
  throw new Error(`the search thread is missing (no findWorker.js beside ${__filename}); reinstall`);
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * The lines of a file that could hold a match but are not events (cut short, not JSON, an
 * unknown event): named, since a match in them is not found; the rest of the file was searched.
 * Lines that cannot hold the text are never parsed, so whether they are readable is not known.
 */
export function unreadableNote(file: string, count: number, named: readonly number[]): string {
  const more = count - named.length;
  const lines = `${count === 1 ? 'line' : 'lines'} ${named.join(', ')}${more > 0 ? ` and ${more.toLocaleString('en')} more` : ''}`;
  return `${file}: ${lines} could not be read as trajectory events (cut short, not JSON, or of an unknown kind); the rest of the file was searched`;
}

interface Job {
  id: number;
  found: FoundFile;
  matched: boolean;
}

interface Thread {
  worker: Worker;
  /** Files given, in order; the first is the one being searched. */
  jobs: Job[];
  timer?: NodeJS.Timeout;
}

class FindRun {
  private readonly started = performance.now();
  private readonly summary: FindSummary = { found: 0, searched: 0, matchedFiles: 0, matches: 0, unreadableLines: 0, ms: 0 };
  private readonly threads: Thread[] = [];
  private readonly files: AsyncGenerator<FoundFile>;
  private readonly entry = workerEntry();
  private readonly fileTimeoutMs: number;
  private nextId = 1;
  private walked = false;
  private pulling = false;
  /** The search is over and its threads are being ended: their exits are not failures. */
  private closing = false;
  private finish: () => void = () => undefined;
  private overall?: NodeJS.Timeout;

  constructor(private readonly o: FindOptions) {
    this.fileTimeoutMs = o.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
    this.files = trajectoryFiles(o.paths, o.cwd, (line) => this.note(line));
  }

  private note(line: string): void {
    this.o.onNote?.(line);
  }

  async run(): Promise<FindSummary> {
    const onAbort = () => this.stop({ why: 'cancelled' });
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.o.signal?.aborted) this.stop({ why: 'cancelled' });
      else {
        const timeoutMs = this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.overall = setTimeout(() => this.stop({ why: 'timeout', ms: timeoutMs }), timeoutMs);
        for (let i = 0; i < Math.max(1, this.o.threads ?? defaultThreads()); i++) this.threads.push(this.startThread());
        void this.pump();
      }
      await done;
    } finally {
      this.o.signal?.removeEventListener('abort', onAbort);
      clearTimeout(this.overall);
      for (const t of this.threads) clearTimeout(t.timer);
      this.closing = true;
      // A thread in the middle of a pattern stops at once; the walk stops where it is.
      await Promise.all(this.threads.map((t) => t.worker.terminate()));
      void this.files.return(undefined).catch(() => undefined);
    }
    this.summary.ms = performance.now() - this.started;
    return this.summary;
  }

  private stop(why: FindStop): void {
    if (this.summary.stopped) return;
    this.summary.stopped = why;
    this.finish();
  }

  private startThread(): Thread {
    const data: FindWorkerData = { query: this.o.query };
    const worker = new Worker(this.entry.file, {
      workerData: data,
      resourceLimits: THREAD_LIMITS,
      ...(this.entry.execArgv ? { execArgv: this.entry.execArgv } : {}),
    });
    const thread: Thread = { worker, jobs: [] };
    worker.on('message', (a: FindAnswer) => this.answer(thread, a));
    // A thread that ends by itself (out of memory, a crash): its file is said, the files behind it go to a new one.
    const lost = (why: string) => this.lost(thread, why);
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`it stopped with code ${code}`));
    return thread;
  }

  private lost(thread: Thread, why: string): void {
    const at = this.threads.indexOf(thread);
    if (at < 0 || this.closing || this.summary.stopped) return;
    clearTimeout(thread.timer);
    const [current, ...behind] = thread.jobs;
    if (current) this.note(`${current.found.file}: not searched (the search thread failed: ${why})`);
    const fresh = this.startThread();
    this.threads[at] = fresh;
    void thread.worker.terminate();
    for (const job of behind) this.give(fresh, job.found);
    this.settled();
  }

  private give(thread: Thread, found: FoundFile): void {
    const job: Job = { id: this.nextId++, found, matched: false };
    thread.jobs.push(job);
    const message: FindJob = { id: job.id, ...found };
    thread.worker.postMessage(message);
    if (thread.jobs.length === 1) this.startClock(thread);
  }

  /** The file now at the head of the thread's list has the file budget from now. */
  private startClock(thread: Thread): void {
    clearTimeout(thread.timer);
    const job = thread.jobs[0];
    if (!job) return;
    thread.timer = setTimeout(() => this.stop({ why: 'file-timeout', file: job.found.file, ms: this.fileTimeoutMs }), this.fileTimeoutMs);
  }

  private answer(thread: Thread, a: FindAnswer): void {
    if (this.summary.stopped) return;
    const job = thread.jobs[0];
    if (!job || job.id !== a.id) return;
    switch (a.type) {
      case 'matches':
        for (const m of a.matches) {
          if (this.summary.stopped) return;
          if (!job.matched) {
            job.matched = true;
            this.summary.matchedFiles++;
          }
          this.summary.matches++;
          this.summary.firstMatchMs ??= performance.now() - this.started;
          this.o.onMatch({ file: job.found.file, trajectory: a.info, ...m });
          if (this.o.limit !== undefined && this.summary.matches >= this.o.limit) this.stop({ why: 'limit', limit: this.o.limit });
        }
        return;
      case 'done': {
        const o = a.outcome;
        if (o.refused) this.note(`${job.found.file}: ${o.refused}; not searched`);
        else this.summary.searched++;
        for (const t of o.tooLong)
          this.note(`${job.found.file}: line ${t.line} is ${megabytes(t.bytes)}, more than the ${megabytes(MAX_FIND_LINE_BYTES)} a line may be; not searched`);
        this.summary.unreadableLines += o.unreadable;
        if (o.unreadable) this.note(unreadableNote(job.found.file, o.unreadable, o.unreadableLines));
        break;
      }
      case 'failed':
        this.note(`${job.found.file}: not searched (${a.error})`);
        break;
      default: {
        const never: never = a;
        return never;
      }
    }
    thread.jobs.shift();
    this.startClock(thread);
    void this.pump();
  }

  /** Gives files to the threads with room, as the walk finds them. */
  private async pump(): Promise<void> {
    if (this.pulling) return;
    this.pulling = true;
    try {
      while (!this.summary.stopped && !this.walked) {
        const thread = this.threads.filter((t) => t.jobs.length <= AHEAD).sort((a, b) => a.jobs.length - b.jobs.length)[0];
        if (!thread) break;
        const next = await this.files.next();
        if (this.summary.stopped) break;
        if (next.done) this.walked = true;
        else {
          this.summary.found++;
          // The thread may have been replaced while the walk went on.
          this.give(this.threads.includes(thread) ? thread : this.threads[0]!, next.value);
        }
      }
    } catch (e) {
      this.note(`the folders could not all be walked: ${(e as Error).message}`);
      this.walked = true;
    } finally {
      this.pulling = false;
    }
    this.settled();
  }

  private settled(): void {
    if (this.walked && this.threads.every((t) => !t.jobs.length)) this.finish();
  }
}

/** Searches the trajectories under `paths`; throws FindQueryError for a query that cannot run. */
export async function findInTrajectories(options: FindOptions): Promise<FindSummary> {
  // Compiled here first, so a bad pattern is an error before any thread starts.
  compileQuery(options.query);
  return new FindRun(options).run();
}
