// sharp (libvips), loaded on first use. Loading it costs about 70 ms of CPU, which every
// `gog` command paid at start even when it never touched an image (`gog label`, `gog
// report` of a run without images, a command refused for a bad flag), and so did the
// extension's activation.
import { createRequire } from 'node:module';
import type sharp from 'sharp';

let loaded: typeof sharp | undefined;

/** The sharp module, required (not bundled: a native module with a per-platform binary) the first time it is asked for. */
export function sharpLib(): typeof sharp {
  return (loaded ??= createRequire(__filename)('sharp') as typeof sharp);
}
