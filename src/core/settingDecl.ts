// The shape every setting is declared in (its VS Code name, CLI flag, type, range, default and
// description), and the one error and range message for a bad value. Each area declares its
// own settings beside the code that reads them (model, search, run, bench, review);
// src/run/settingsSpec.ts puts them together and derives everything else from the list.

export const MB = 1024 * 1024;

interface Common<K extends string> {
  key: K;
  /** Under `gog.` in VS Code. */
  name: string;
  /** On the command line, without the dashes (a boolean that defaults to true is `--no-<flag>`). */
  flag: string;
  /** How messages name it: "max turns must be…". */
  label: string;
  /** Markdown (VS Code renders it; `gog help` shows it plain). */
  description: string;
  /** Shown in `gog help` instead of the description when the description is long. */
  help?: string;
  /**
   * A boolean that defaults to true: what `--no-<flag>` does, as `gog help` says it on that
   * flag's line ("do not cache searches"); `help` (or the description) says what the default does.
   */
  negated?: string;
  /** A workspace may not set it when untrusted: it decides where the key goes or what is read. */
  restricted?: boolean;
}

/** One setting of an area, keyed by that area's settings. */
export type SettingDeclOf<K extends string> = Common<K> &
  (
    | { type: 'string'; default: string }
    | { type: 'enum'; values: readonly string[]; descriptions: readonly string[]; default: string }
    | { type: 'integer' | 'number'; default: number; min: number; max: number; unit?: string; scale?: number }
    | { type: 'boolean'; default: boolean }
    /** A folder: empty means a built-in default; a relative path resolves against the workspace (or the working folder). */
    | { type: 'folder'; default: '' }
    /** Names to http(s) URLs; on the command line a repeatable `--flag NAME=URL`. */
    | { type: 'urls'; keys: readonly string[]; default: Record<string, never> }
  );

/** A bad value for a setting, in one line that names it. */
export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingError';
  }
}

/** "max turns must be a whole number from 1 to 100; got 0". */
export function rangeMessage(d: { label: string; type: 'integer' | 'number'; min: number; max: number; unit?: string }, shown: unknown): string {
  return `${d.label} must be ${d.type === 'integer' ? 'a whole number ' : ''}from ${d.min} to ${d.max}${d.unit ? ` ${d.unit}` : ''}; got ${String(shown)}`;
}
