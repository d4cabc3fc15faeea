// Where tests save pictures: always their own output folder; the README's pictures go to
// GOG_SCREENSHOTS_DIR (media/screenshots) when `npm run screenshots` sets it.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures';

/** Test output only: failures, themes, anything a reader of the README need not see. */
export const TEST_OUT_SCREENSHOTS = path.join(ROOT, 'test', '.out', 'screenshots');
/** Pictures the README may show. */
export const SCREENSHOTS = process.env.GOG_SCREENSHOTS_DIR ? path.resolve(process.env.GOG_SCREENSHOTS_DIR) : TEST_OUT_SCREENSHOTS;

export function makeScreenshotDirs(): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  mkdirSync(TEST_OUT_SCREENSHOTS, { recursive: true });
}
