// `gog bench` at scale: 1,000 samples of a recorded benchmark against a scripted endpoint
// that takes 200 ms per turn, 32 requests at a time. The ideal wall time is the model's time
// alone spread perfectly over 32 lanes (sum of turn latencies / 32); the target is within
// 1.10×. The endpoint counts the requests it had under way at once: never more than 32.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBenchArgs } from '../../src/cli/bench';
import { runBenchmark } from '../../src/run/bench';
import { benchArgs, SCRIPTS, writeBenchmark, type Script } from '../helpers/benchmarks';

type Row = (label: string, value: string, target: string, ratio?: number) => void;

/**
 * Twice: with text searches only (the runner's own overhead), then with the glances and gazes
 * of the recorded benchmark too, whose reverse image searches run on this machine's CPU in the
 * local corpus (a web provider would spend that time waiting on the network instead).
 */
export async function benchmarkRunBenchmarks(tmp: string, row: Row, samples: number): Promise<void> {
  await benchmarkRun(tmp, row, samples, 'text searches only', ['direct', 'text', 'parse-then-answer', 'text-wrong']);
  await benchmarkRun(tmp, row, samples, 'text searches, glances and gazes on the local image matcher', SCRIPTS);
}

async function benchmarkRun(tmp: string, row: Row, samples: number, label: string, scripts: readonly Script[]): Promise<void> {
  const latencyMs = 200;
  const concurrency = 32;
  tmp = await fs.mkdtemp(path.join(tmp, 'bench-'));
  const fx = await writeBenchmark('mmsearch', path.join(tmp, 'bench-data'), samples, undefined, scripts);
  const recordings = path.join(tmp, 'bench-recordings.json');
  await fs.writeFile(recordings, JSON.stringify(fx.recordings));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'replayChild.ts'), recordings, String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  child.stdout.on('data', (d: Buffer) => (said += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const server = {
    url: await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /^url (\S+)$/m.exec(said);
        if (m) resolve(m[1]!);
      });
      void closed.then(() => reject(new Error(`the replay endpoint exited: ${said}`)));
    }),
    /** Stops the endpoint; the chat requests it served, and the most it had under way at once. */
    close: async () => {
      child.kill('SIGINT');
      await closed;
      const figure = (name: string) => Number(new RegExp(`^${name} ([\\d.]+)$`, 'm').exec(said)?.[1]);
      return { served: figure('served'), peak: figure('peak'), answeringMs: figure('answering'), laneMs: figure('lanes'), cpuMs: figure('cpu') };
    },
  };
  let turns = 0;
  try {
    const out = path.join(tmp, 'bench-run');
    const { options } = parseBenchArgs(benchArgs(fx, server.url, out, path.join(tmp, 'bench-cache'), ['--concurrency', String(concurrency)]), {}, tmp);
    const perSample: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const outcome = await runBenchmark(options, { onResult: (r) => perSample.push(r.ms) });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!outcome.finished || outcome.summary.all.stopReasons.answered !== fx.expected.length)
      throw new Error(`the benchmark run did not answer every sample: ${JSON.stringify(outcome.summary.all.stopReasons)}`);
    const stats = await server.close();
    turns = stats.served;
    // The ideal assumes `concurrency` model lanes: the run must never have had more requests under way.
    if (!(stats.peak <= concurrency)) throw new Error(`the endpoint had ${stats.peak} requests under way at once, over the concurrency of ${concurrency}`);
    const ideal = (turns * latencyMs) / concurrency;
    const sorted = [...perSample].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    console.log(
      `\ngog bench, ${label}: ${samples} samples (${turns} model turns of ${latencyMs} ms), ${concurrency} at a time, replay endpoint in its own process; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
    );
    row('wall time of the benchmark run', `${(wall / 1000).toFixed(1)} s`, '');
    row('ideal: sum of model latencies / concurrency', `${(ideal / 1000).toFixed(1)} s`, '');
    row('most model requests under way at once', `${stats.peak}`, `≤ ${concurrency}`);
    row('wall time / ideal', `${(wall / ideal).toFixed(3)}×`, '≤ 1.10×', wall / ideal / 1.1);
    // Where a shortfall comes from: lanes left idle between a reply and the next request, or an endpoint slower than its latency.
    row('  model requests under way, on average over the run', `${(stats.laneMs / wall).toFixed(1)} of ${concurrency}`, '');
    row('  endpoint time per request beyond its latency (its own parsing)', `${(stats.answeringMs / turns - latencyMs).toFixed(1)} ms`, '');
    row('  CPU time of the endpoint process per sample', `${(stats.cpuMs / samples).toFixed(1)} ms`, '');
    // Load-independent: what the run costs this process (its threads included), however busy the machine is.
    row('CPU time of this process per sample (user + system)', `${((cpu.user + cpu.system) / 1000 / samples).toFixed(1)} ms`, '');
    row('median time of one sample (its turns included)', `${median.toFixed(0)} ms`, '');
    // Samples beyond the 32 requests wait for a free slot: that wait is counted here, with the local work.
    row('median overhead beyond its turns (local work, slot waits)', `${(median - latencyMs * (turns / samples)).toFixed(0)} ms`, '');
    await fs.rm(out, { recursive: true, force: true });
  } finally {
    if (!turns) await server.close();
  }
}
