// Run in its own Node process by runsBench.ts: what the extension host holds to review a
// benchmark run: the Runs view's status of the run and the failures panel's rows (read as
// the panel reads them) plus the message it posts, serialised as postMessage would. Prints
// one JSON line: the peak resident set of the whole process, and the heap still held.
import { runMessage } from '../../src/run/reviewMessages';
import { RunStatusReader } from '../../src/data/runIndex';

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const reader = new RunStatusReader();
  const status = await reader.read(dir);
  const { message, rows } = await runMessage(dir, reader);
  const posted = JSON.stringify(message);
  const readMs = performance.now() - t0;
  gc?.();
  const held = process.memoryUsage();
  console.log(
    JSON.stringify({
      rows: rows.rows.length,
      done: status.done,
      postedBytes: posted.length,
      readMs,
      baseRss: before.rss,
      heldHeap: held.heapUsed - before.heapUsed,
      heldRss: held.rss,
      peakRss: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
