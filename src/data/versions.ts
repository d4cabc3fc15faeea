// Versions of the tools a run used, for the trajectory header.
import { VERSION as openaiVersion } from 'openai/version';
import { sharpLib } from '../vision/sharpLib';
import pkg from '../../package.json';

export const GOG_VERSION: string = pkg.version;

export function toolVersions(): Record<string, string> {
  return { gog: GOG_VERSION, node: process.versions.node, sharp: sharpLib().versions.sharp ?? 'unknown', openai: openaiVersion };
}
