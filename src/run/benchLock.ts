// One process at a time in a run folder, across machines on shared storage (a Kubernetes pod
// replaced while the old one still runs, a Slurm task requeued on another node): the folder
// RUN_DIR/bench.lock/ holds numbered holder files, 1, 2, 3…, the highest being the holder.
// Each names its process (host, pid) and carries a heartbeat its process rewrites every few
// seconds (GOG_LOCK_HEARTBEAT_SECONDS, 5 by default).
//
// - Free (no holder file): create holder 1.
// - Held by a live process of this machine (its pid runs and its heartbeat is recent by this
//   machine's clock): refused, unless it ends within a few seconds (a requeued Slurm task
//   can start while its old self still stops after SIGTERM). Its pid gone, or silent for 3
//   heartbeats: stale.
// - Held by another machine: its clock is not ours, so the heartbeat is watched for 3 of its
//   intervals: it moved, refused; it did not, stale.
// - Stale: taken over by creating the next holder file. Creation is exclusive (a hard link
//   into place: link(2) fails when the name exists, on NFS too), so of two processes taking
//   over one stale holder, exactly one gets the next number; the other finds it live.
//
// A holder has lost the folder when its own file is gone or the next number exists: it
// checks at every heartbeat and before every result it writes, and stops writing at once.
import { closeSync, constants, existsSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFailed } from '../core/files';
import { parseJson } from '../core/json';

export const LOCK_DIR = 'bench.lock';
export const DEFAULT_HEARTBEAT_MS = 5000;
/** A holder silent for this many of its heartbeats is stale. */
const STALE_BEATS = 3;
/**
 * How long a live holder of this machine is given to end before a second process is refused:
 * a stopping `gog` ends within 5 s of SIGTERM (src/cli/main.ts), and a requeued task may start
 * while its old self does.
 */
const SAME_HOST_STOP_MS = 8000;
/** Watching another machine's heartbeat never takes longer than this. */
const MAX_HEARTBEAT_MS = 10 * 60 * 1000;
const HOLDER = /^(\d{1,12})$/;
/** Holder files are opened as themselves: a link planted in bench.lock/ is not followed. */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** The lock is held by a live process, or could not be taken: one line. */
export class LockRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockRefused';
  }
}

/** This process held the lock and another took it over: it must write nothing more. */
export class LockLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockLost';
  }
}

interface Holder {
  host: string;
  pid: number;
  token: string;
  heartbeatMs: number;
  started: string;
  /** Twelve digits, so the file keeps its length as it is rewritten in place. */
  beat: string;
  at: string;
}

function holderText(h: Holder): string {
  return JSON.stringify(h) + '\n';
}

function readHolder(text: string | undefined): Partial<Holder> {
  if (text === undefined) return {};
  try {
    const v = parseJson(text) as Partial<Holder> | null;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function who(h: Partial<Holder>): string {
  return `process ${typeof h.pid === 'number' ? h.pid : '?'} on ${typeof h.host === 'string' ? `host ${h.host}` : 'an unknown host'}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    const stop = () => {
      done();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('stopped'));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

export interface LockOptions {
  heartbeatMs?: number;
  signal?: AbortSignal;
  /** A line for the user (waiting on another machine's heartbeat). */
  onNotice?: (line: string) => void;
  /** Called once, when another process took the lock over. */
  onLost?: (message: string) => void;
}

export class BenchLock {
  private timer: NodeJS.Timeout | undefined;
  private lostMessage: string | undefined;
  private beating: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly number: number,
    private readonly holder: Holder,
    private readonly onLost: ((message: string) => void) | undefined,
  ) {}

  private get file(): string {
    return path.join(this.dir, LOCK_DIR, String(this.number));
  }

  private get next(): string {
    return path.join(this.dir, LOCK_DIR, String(this.number + 1));
  }

  /** Takes the run folder `dir` for this process, waiting out another machine's heartbeat when it must. */
  static async acquire(dir: string, o: LockOptions = {}): Promise<BenchLock> {
    const heartbeatMs = o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const lockDir = path.join(dir, LOCK_DIR);
    const me: Holder = {
      host: os.hostname(),
      pid: process.pid,
      token: randomBytes(8).toString('hex'),
      heartbeatMs,
      started: new Date().toISOString(),
      beat: '0'.padStart(12, '0'),
      at: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 50; attempt++) {
      o.signal?.throwIfAborted();
      await ensureLockDir(lockDir);
      const numbers = await holderNumbers(lockDir);
      const top = numbers[0];
      if (top === undefined) {
        const lock = await BenchLock.create(dir, 1, me, o);
        if (lock) return lock;
        continue;
      }
      const seen = readHolderText(path.join(lockDir, String(top)));
      if (seen === undefined) continue;
      const h = readHolder(seen);
      const beatMs = Math.min(MAX_HEARTBEAT_MS, Math.max(100, typeof h.heartbeatMs === 'number' ? h.heartbeatMs : DEFAULT_HEARTBEAT_MS));
      if (h.host === me.host && typeof h.pid === 'number') {
        // This machine: its pid and its clock say whether it runs.
        // Read again at each look: a live holder keeps beating while it is waited for.
        const live = () => {
          const text = readHolderText(path.join(lockDir, String(top)));
          const now = text === undefined ? undefined : readHolder(text);
          const at = typeof now?.at === 'string' ? Date.parse(now.at) : NaN;
          return now?.pid === h.pid && h.pid !== process.pid && alive(h.pid as number) && Date.now() - at < STALE_BEATS * beatMs;
        };
        if (live()) {
          o.onNotice?.(`${dir} is held by process ${h.pid} on this machine; giving it ${SAME_HOST_STOP_MS / 1000} s to end, in case it is stopping`);
          for (const until = Date.now() + SAME_HOST_STOP_MS; live() && Date.now() < until;) await sleep(100, o.signal);
          if (live()) throw new LockRefused(`${dir} is being run by process ${h.pid} on this machine; wait for it or stop it first`);
          continue; // it ended: read the lock again (freed, or left stale by a kill)
        }
      } else {
        const wait = STALE_BEATS * beatMs;
        o.onNotice?.(`${dir} is held by ${who(h)}; watching its heartbeat for ${Math.round(wait / 100) / 10} s to see whether it still runs`);
        await sleep(wait, o.signal);
        if ((await holderNumbers(lockDir))[0] !== top) continue;
        const again = readHolderText(path.join(lockDir, String(top)));
        if (again === undefined) continue;
        if (again !== seen)
          throw new LockRefused(`${dir} is being run by ${who(h)} (its heartbeat is live); wait for it or stop it first, or run this shard elsewhere`);
      }
      // Stale: the next number is this process's, or another's that got there first.
      const lock = await BenchLock.create(dir, top + 1, me, o);
      if (lock) {
        o.onNotice?.(`${dir}: took over the lock of ${who(h)}, which had stopped`);
        for (const n of numbers) await fs.rm(path.join(lockDir, String(n)), { force: true });
        return lock;
      }
    }
    throw new LockRefused(`${dir}: could not take its lock (${LOCK_DIR}/ kept changing); try again`);
  }

  /** Creates holder file `number` whole, or returns undefined when it exists. */
  private static async create(dir: string, number: number, me: Holder, o: LockOptions): Promise<BenchLock | undefined> {
    const lockDir = path.join(dir, LOCK_DIR);
    const tmp = path.join(lockDir, `.${me.token}.tmp`);
    const shown = path.join(dir, LOCK_DIR);
    try {
      // Raw errors (a full disk) are told as the lock's, not as its temporary file's.
      await fs.writeFile(tmp, holderText(me), { flag: 'wx' });
      await fs.link(tmp, path.join(lockDir, String(number)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Taken by another, or the folder went with its last holder: look again.
      if (code === 'EEXIST' || code === 'ENOENT') return undefined;
      throw writeFailed(e, shown);
    } finally {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
    const lock = new BenchLock(dir, number, me, o.onLost);
    lock.timer = setInterval(() => void (lock.beating = lock.beating.then(() => lock.beat())), me.heartbeatMs);
    lock.timer.unref();
    return lock;
  }

  /** Why this process no longer holds the folder, or undefined while it does. */
  get lost(): string | undefined {
    return this.lostMessage;
  }

  /** Whether this process still holds the folder, looked at now (two stats): losing it stops the run (onLost). */
  check(): boolean {
    if (!this.lostMessage && (!existsSync(this.file) || existsSync(this.next))) this.lose();
    return !this.lostMessage;
  }

  /** Throws a LockLost when another process holds the folder now: called before every write that must be the holder's. */
  assertHeld(): void {
    if (!this.check()) throw new LockLost(this.lostMessage!);
  }

  private lose(): void {
    if (this.lostMessage) return;
    clearInterval(this.timer);
    // Read now, not later: the message is printed as soon as the run stops, which may be before a later read ends.
    const text = readHolderText(this.next);
    this.lostMessage =
      text === undefined
        ? `another process took over ${this.dir} (this one had been silent past its heartbeat); this one stopped without writing more`
        : `${who(readHolder(text))} took over ${this.dir}; this process stopped without writing more`;
    this.onLost?.(this.lostMessage);
  }

  /** Rewrites this holder's file in place (same length: a reader never sees it half written), unless the lock was lost. */
  private async beat(): Promise<void> {
    if (this.lostMessage) return;
    if (existsSync(this.next)) return this.lose();
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, constants.O_RDWR | NOFOLLOW);
    } catch {
      return this.lose();
    }
    try {
      const current = readHolder((await handle.readFile()).toString('utf8'));
      if (current.token !== this.holder.token) return this.lose();
      this.holder.beat = String(Number(this.holder.beat) + 1).padStart(12, '0');
      this.holder.at = new Date().toISOString();
      await handle.write(holderText(this.holder), 0, 'utf8');
    } catch {
      // A beat that could not be written (a full disk): the next one tries again; silent long enough, another may take over.
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Stops the heartbeat and removes this holder's file (never another's); the folder goes with its last holder. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    if (this.lostMessage) return;
    const mine = readHolder(readHolderText(this.file));
    if (mine.token === this.holder.token) await fs.rm(this.file, { force: true });
    await fs.rmdir(path.join(this.dir, LOCK_DIR)).catch(() => undefined);
  }
}

/** bench.lock/ as a folder of our own: a file or link there (an older version's lock, or planted) is removed, never followed. */
async function ensureLockDir(lockDir: string): Promise<void> {
  const st = await fs.lstat(lockDir).catch(() => undefined);
  if (st && !st.isDirectory()) await fs.rm(lockDir, { force: true });
  try {
    await fs.mkdir(lockDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(e, lockDir);
  }
}

/** The holder numbers in bench.lock/, highest first. */
async function holderNumbers(lockDir: string): Promise<number[]> {
  const names = await fs.readdir(lockDir).catch(() => [] as string[]);
  return names
    .filter((n) => HOLDER.test(n))
    .map(Number)
    .sort((a, b) => b - a);
}

/** A holder file's text, read at once (it is small, 64 KB at most); a link is not followed, a FIFO not waited on. */
function readHolderText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > 64 * 1024) return `not a holder file (${st.size} bytes)`;
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
