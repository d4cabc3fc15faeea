// The arguments of a `gog` subcommand: Node's parseArgs, strict, positionals allowed, and any
// mistake it finds (an unknown flag, a missing value) turned into a usage error (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { oneLine } from '../core/agent';
import { UsageError } from './io';

export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
}
