// The `gog` command: dispatch, signals and exit codes.
import { oneLine } from '../core/agent';
import { parseAskArgs, runAsk, UsageError, type Io } from './ask';
import { runCache } from './cache';
import { runDemo } from './demo';
import { runReplay } from './replay';
import { runReport } from './report';
import { USAGE } from './usage';

/** How long a command may take to wind down after SIGINT or SIGTERM. */
const STOP_GRACE_MS = 5000;

async function main(argv: string[]): Promise<number> {
  const io: Io = {
    stdout: (l) => process.stdout.write(l + '\n'),
    stderr: (l) => process.stderr.write(l + '\n'),
    color: !!process.stdout.isTTY && !process.env.NO_COLOR,
    width: process.stdout.columns ?? 100,
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (interrupts > 1) process.exit(code);
    if (process.stderr.isTTY) io.stderr('gog: stopping… (Ctrl+C again to quit at once)');
    controller.abort();
    // Every command stops at the abort; should one not, the process still ends. Trajectory
    // lines are written as they happen, so what was recorded is on disk either way.
    setTimeout(() => {
      io.stderr(`gog: did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}; quitting (what was recorded is on disk)`);
      process.exit(code);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'ask': {
        const { settings, json } = parseAskArgs(rest, process.env, process.cwd());
        return await runAsk(settings, json, io, controller.signal);
      }
      case 'replay':
        return await runReplay(rest, io, controller.signal);
      case 'report':
        return await runReport(rest, io, process.cwd());
      case 'cache':
        return await runCache(rest, io, process.cwd());
      case 'demo':
        return await runDemo(rest, io, controller.signal, process.cwd());
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gog: ${e.message}\nrun "gog help" for usage`);
      return 2;
    }
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`gog: ${oneLine(e)}\n`);
    process.exitCode = 1;
  },
);
