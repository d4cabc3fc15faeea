// What may reach a terminal: no control character but tab and newline (no ESC, no C1 such as
// the CSI U+009B, no DEL), no bidirectional mark or override, no lone surrogate.
import { strict as assert } from 'node:assert';

export const BIDI_CONTROLS = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

/** The first character a terminal would act on, with its position; undefined when there is none. */
export function firstUnsafe(text: string): { at: number; code: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const code = `U+${c.toString(16).padStart(4, '0')}`;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || BIDI_CONTROLS.includes(text[i]!)) return { at: i, code };
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return { at: i, code };
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return { at: i, code };
  }
  return undefined;
}

export function isClean(text: string): boolean {
  return firstUnsafe(text) === undefined;
}

/** Stdout and stderr hold nothing a terminal would act on. */
export function assertTerminalSafe(output: { stdout: string; stderr: string }, what = ''): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const bad = firstUnsafe(output[stream]);
    assert.ok(
      !bad,
      `${what} ${stream}: ${bad?.code} at ${bad?.at}: ${JSON.stringify(output[stream].slice(Math.max(0, (bad?.at ?? 0) - 40), (bad?.at ?? 0) + 40))}`,
    );
  }
}
