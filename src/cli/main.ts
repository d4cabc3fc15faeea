// The `gog` command: dispatch, signals and exit codes. Each command's modules are loaded
// when it runs (dynamic imports, evaluated lazily in the bundle): `gog find` or `gog help`
// does not wait for the agent, sharp and every other command to load. What each command
// takes is declared in commands.ts; `--help` anywhere among its flags prints that instead.
import { oneLine } from '../core/agent';
import { terminalOutput, terminalSafe, type TerminalLine } from '../core/terminalText';
import { envSecrets } from '../run/runSecrets';
import { helpRequested } from './args';
import { redactingIo, UsageError, type Io } from './io';
import { packageVersion } from './packageRoot';
import { exitCodeOf, StoppedBySignal } from './stopSignal';

/** How long a command may take to wind down after SIGINT or SIGTERM. */
const STOP_GRACE_MS = 5000;

/** Set once SIGINT or SIGTERM arrived, or the reader of stdout went away. */
let stoppedBySignal = false;
/** The reader of stdout went away: the exit is SIGPIPE's, whatever the command made of its stop. */
let readerGone = false;

async function main(argv: string[]): Promise<number> {
  // The one way out to the terminal: every line cleaned (terminalText.ts), colours only on a TTY without NO_COLOR.
  const color = (stream: NodeJS.WriteStream) => !!stream.isTTY && !process.env.NO_COLOR;
  // A stream whose reader went away (`gog find … | head`) takes no more lines.
  const closed = new Set<NodeJS.WriteStream>();
  const write = (stream: NodeJS.WriteStream, line: string | TerminalLine) => {
    if (!closed.has(stream)) stream.write(terminalOutput(line, color(stream)) + '\n');
  };
  const terminal: Io = {
    stdout: (l) => write(process.stdout, l),
    stderr: (l) => write(process.stderr, l),
    width: process.stdout.columns ?? 100,
  };
  // Whatever a command prints (a run made elsewhere, a server's error) holds no secret of the
  // environment; commands that run add their settings' own secrets (runSecrets.ts).
  const io = redactingIo(terminal, envSecrets(process.env));
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    stoppedBySignal = true;
    const code = exitCodeOf(signal);
    if (interrupts > 1) process.exit(code);
    if (process.stderr.isTTY) io.stderr('gog: stopping… (Ctrl+C again to quit at once)');
    controller.abort(new StoppedBySignal(signal));
    // Every command stops at the abort; should one not, the process still ends. Trajectory
    // lines are written as they happen, so what was recorded is on disk either way.
    setTimeout(() => {
      io.stderr(`gog: did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}; quitting (what was recorded is on disk)`);
      process.exit(code);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The reader of the output went away: the command stops, quietly, as a shell's tools do on
  // SIGPIPE (Node ignores that signal and reports EPIPE instead, which unheard ends the
  // process with a stack trace). Other write errors end it as before.
  const onWriteError = (stream: NodeJS.WriteStream) => (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed.add(stream);
    if (stream !== process.stdout || readerGone) return;
    readerGone = true;
    stoppedBySignal = true;
    controller.abort(new StoppedBySignal('SIGPIPE'));
    setTimeout(() => process.exit(exitCodeOf('SIGPIPE')), STOP_GRACE_MS).unref();
  };
  const stdoutError = onWriteError(process.stdout);
  const stderrError = onWriteError(process.stderr);
  process.stdout.on('error', stdoutError);
  process.stderr.on('error', stderrError);

  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return await printHelp(command, rest, io);
      case 'version':
      case '--version':
        io.stdout(packageVersion());
        return 0;
    }
    // `gog COMMAND … --help`: the declarations are loaded only when the word is there.
    if (rest.some((a) => a === '--help' || /^-[a-zA-Z]*h/.test(a))) {
      const { commandNamed } = await import('./commands');
      const spec = commandNamed(command);
      if (spec && helpRequested(rest, spec)) {
        io.stdout((await import('./usage')).commandHelp(spec));
        return 0;
      }
    }
    switch (command) {
      case 'ask': {
        const { parseAskArgs, runAsk } = await import('./ask');
        const { settings, json } = parseAskArgs(rest, process.env, process.cwd());
        return await runAsk(settings, json, io, controller.signal);
      }
      case 'replay':
        return await (await import('./replay')).runReplay(rest, io, controller.signal);
      case 'bench':
        return await (await import('./bench')).runBenchCommand(rest, process.env, process.cwd(), io, controller.signal);
      case 'export-rl':
        return await (await import('./exportRl')).runExportRl(rest, io, process.cwd(), controller.signal);
      case 'merge':
        return await (await import('./merge')).runMergeCommand(rest, io, process.cwd(), controller.signal);
      case 'report':
        return await (await import('./report')).runReport(rest, io, process.cwd(), process.env, controller.signal);
      case 'compare':
        return await (await import('./compare')).runCompare(rest, io, process.cwd(), controller.signal);
      case 'find':
        return await (await import('./find')).runFind(rest, io, process.cwd(), controller.signal);
      case 'cache':
        return await (await import('./cache')).runCache(rest, io, process.cwd());
      case 'demo':
        return await (await import('./demo')).runDemo(rest, io, controller.signal, process.cwd());
      case 'export':
        return await (await import('./export')).runExport(rest, io, process.cwd(), controller.signal);
      case 'import':
        return await (await import('./import')).runImport(rest, io, process.cwd(), controller.signal);
      case 'label':
        return await (await import('./label')).runLabel(rest, io, process.cwd());
      case 'queue':
        return await (await import('./queue')).runQueue(rest, io, process.cwd());
      case 'agreement':
        return await (await import('./agreement')).runAgreement(rest, io, process.cwd(), controller.signal);
      case 'rerun':
        return await (await import('./rerun')).runRerun(rest, io, process.env, process.cwd(), controller.signal);
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

/** `gog help [COMMAND]`: that command's help, or the list of commands (and `gog` alone, as a usage error). */
async function printHelp(command: string | undefined, topics: string[], io: Io): Promise<number> {
  const { commandNamed } = await import('./commands');
  const { commandHelp, commandList } = await import('./usage');
  const [topic, ...extra] = topics;
  if (topic === undefined) {
    io.stdout(commandList());
    return command === undefined ? 2 : 0;
  }
  const spec = commandNamed(topic);
  if (!spec) throw new UsageError(`unknown command "${topic}"`);
  if (extra.length) throw new UsageError(`gog help takes one command; got ${topics.length}`);
  io.stdout(commandHelp(spec));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Stopped by a signal: the command has cleaned up; work it left behind (a large file still
    // being read) must not hold the process.
    if (stoppedBySignal) process.exit(readerGone ? exitCodeOf('SIGPIPE') : code);
  },
  (e: unknown) => {
    process.stderr.write(`gog: ${terminalSafe(oneLine(e))}\n`);
    process.exitCode = 1;
  },
);
