// The arguments of a `gog` subcommand: Node's parseArgs, strict, with exactly the flags of
// the command's declaration (commands.ts), so what it takes is what its help documents; any
// mistake parseArgs finds (an unknown flag, a missing value) is a usage error (exit 2).
import { parseArgs } from 'node:util';
import { oneLine } from '../core/agent';
import type { CliFlag } from '../run/settingsSpec';
import type { CommandSpec } from './commands';
import { UsageError } from './io';

/** What parseArgs takes of a flag: its type, repetition and short form, not its help. */
type ParserOption<F extends CliFlag> = Pick<F, Extract<keyof F, 'type' | 'multiple' | 'short'>>;

function parserOptions<O extends Record<string, CliFlag>>(flags: O): { [K in keyof O]: ParserOption<O[K]> } {
  const out: Record<string, Pick<CliFlag, 'type' | 'multiple' | 'short'>> = {};
  for (const [name, f] of Object.entries(flags))
    out[name] = { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  return out as { [K in keyof O]: ParserOption<O[K]> };
}

export function parseCommandArgs<const O extends Record<string, CliFlag>>(args: string[], spec: CommandSpec<O>) {
  try {
    return parseArgs({ args, options: parserOptions(spec.options), allowPositionals: spec.positionals[1] > 0, strict: true });
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
}

/**
 * Whether `--help` or `-h` is among the arguments as a flag: not a flag's value
 * (`--question -h`) nor after `--`, where it is a positional argument.
 */
export function helpRequested(args: string[], spec: CommandSpec): boolean {
  const { tokens } = parseArgs({
    args,
    options: { ...parserOptions(spec.options), help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  return tokens.some((t) => t.kind === 'option' && t.name === 'help');
}
