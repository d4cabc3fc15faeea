// Paths to the real photographs (media/demo/images, with PROVENANCE.md) and temp folders.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO = path.join(ROOT, 'media', 'demo');
export const CORPUS = path.join(DEMO, 'corpus');
export const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'hubble_deep_field.jpg', 'rocket.jpg'] as const;

export function photo(name: (typeof PHOTOS)[number]): string {
  return path.join(DEMO, 'images', name);
}

/** A temp folder removed after the current mocha suite. */
export function tempDir(prefix = 'gog-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A loopback URL nothing listens on: a port that was just opened and closed again. */
export async function closedEndpoint(): Promise<string> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}
