// SIGINT and SIGTERM as the reason of the command's abort signal, so a command that stops
// for one can exit the way a shell expects: 130 after SIGINT, 143 after SIGTERM, and 141
// when the reader of its output went away (`gog find … | head`: SIGPIPE, which Node ignores,
// so it comes as EPIPE on stdout).

/** The abort reason when a signal stopped the command; named AbortError, as every canceller expects. */
export class StoppedBySignal extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = 'AbortError';
  }
}

export function exitCodeOf(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : signal === 'SIGPIPE' ? 141 : 130;
}

/** The exit code for a command stopped by `signal`'s abort: 130/143 for a signal, 1 for any other cancel. */
export function stoppedExitCode(signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  return reason instanceof StoppedBySignal ? exitCodeOf(reason.signal) : 1;
}
