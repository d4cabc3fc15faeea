// `gog cache stats|clear [--cache DIR] [--provider ID]`: what the search cache holds, and
// emptying it (all of it, or one provider's entries).
import * as path from 'node:path';
import { SearchCache } from '../search/cache';
import { UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { CACHE_COMMAND } from './commands';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function runCache(argv: string[], io: Io, cwd: string): Promise<number> {
  const parsed = parseCommandArgs(argv, CACHE_COMMAND);
  const [action, ...extra] = parsed.positionals;
  if ((action !== 'stats' && action !== 'clear') || extra.length) throw new UsageError('use: gog cache stats|clear [--cache DIR] [--provider ID]');
  const dir = parsed.values.cache ? path.resolve(cwd, parsed.values.cache) : path.join(cwd, '.gog', 'cache');
  const cache = new SearchCache(dir);
  if (action === 'clear') {
    const removed = await cache.clear(parsed.values.provider);
    if (parsed.values.json) io.stdout(JSON.stringify({ removed, cache: dir }));
    else io.stdout(`removed ${removed} cached search${removed === 1 ? '' : 'es'}${parsed.values.provider ? ` of ${parsed.values.provider}` : ''} from ${dir}`);
    return 0;
  }
  const stats = await cache.stats();
  if (parsed.values.json) {
    io.stdout(JSON.stringify({ cache: dir, ...stats }));
    return 0;
  }
  io.stdout(`${dir}: ${stats.entries} cached search${stats.entries === 1 ? '' : 'es'}, ${size(stats.bytes)}`);
  for (const p of stats.providers) io.stdout(`  ${p.provider.padEnd(40)} ${String(p.entries).padStart(7)}  ${size(p.bytes).padStart(9)}`);
  return 0;
}
