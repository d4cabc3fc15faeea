// `npm run settings`: writes package.json's contributed settings (and the ones an untrusted
// workspace may not set) from the one declaration in src/run/settingsSpec.ts. A unit test
// fails while the two disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contributedProperties, restrictedSettings } from '../src/run/settingsSpec';

const file = path.resolve(__dirname, '..', 'package.json');
const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
  contributes: { configuration: { properties: unknown } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
pkg.contributes.configuration.properties = contributedProperties();
pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedSettings();
writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(contributedProperties()).length} settings written`);
