// The replay endpoint in a process of its own, so its work does not count against the
// process it serves: `tsx replayChild.ts RECORDINGS.json LATENCY_MS` prints its URL, and on
// SIGINT the requests it served (and the most at once) and closes.
import { readFileSync } from 'node:fs';
import type { Recording } from '../../src/model/replayServer';
import { startReplayServer } from '../../src/model/replayServer';

void (async () => {
  const [file, latency] = process.argv.slice(2);
  const recordings = JSON.parse(readFileSync(file!, 'utf8')) as Recording[];
  const server = await startReplayServer(recordings, { latencyMs: Number(latency) });
  const cpu0 = process.cpuUsage();
  console.log(`url ${server.url}`);
  process.on('SIGINT', () => {
    console.log(`served ${server.stats.chatRequests}`);
    console.log(`peak ${server.stats.peakInFlight}`);
    console.log(`answering ${server.stats.answeringMs}`);
    console.log(`lanes ${server.stats.inFlightMs}`);
    const cpu = process.cpuUsage(cpu0);
    console.log(`cpu ${(cpu.user + cpu.system) / 1000}`);
    void server.close().then(() => process.exit(0));
  });
})();
