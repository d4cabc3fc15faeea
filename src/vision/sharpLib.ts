// sharp (libvips), loaded on first use. Loading it costs about 70 ms of CPU, which every
// `gog` command paid at start even when it never touched an image (`gog label`, `gog
// report` of a run without images, a command refused for a bad flag), and so did the
// extension's activation.
import { createRequire } from 'node:module';
import type sharp from 'sharp';

let loaded: typeof sharp | undefined;

/** The first line of what sharp threw: the rest is a stack or a list of hints. */
export function sharpMessage(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
}

/**
 * The sharp module, required (not bundled: a native module with a per-platform binary) the
 * first time it is asked for. Callers take it before their own error handling, so that a
 * sharp that cannot load (an install for another platform) stops the command with this
 * error, in one line, and is never reported as an unreadable image.
 */
export function sharpLib(): typeof sharp {
  if (loaded) return loaded;
  try {
    loaded = createRequire(__filename)('sharp') as typeof sharp;
  } catch (e) {
    throw new Error(
      `sharp, the image library, could not be loaded (${sharpMessage(e)}): reinstall for this platform (${process.platform}-${process.arch}); see https://sharp.pixelplumbing.com/install`,
      { cause: e },
    );
  }
  return loaded;
}
