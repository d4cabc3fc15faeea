// A key searched for in every written file and in the output, in every spelling a careless
// server could echo it in: as given, URL-encoded (%20 or +, either case of hex),
// form-encoded, JSON-escaped, and base64 or base64url at any of the three offsets (a Basic
// `user:key` header, a token inside an encoded blob). Worked out here on its own, not with
// the redactor's list, so a spelling the redactor misses is found.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Every regular file under `dir` (links are not followed), or none when it is absent. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** base64 of `key` after 0, 1 or 2 other bytes: only the characters that depend on the key alone. */
function base64Runs(key: string): string[] {
  const bytes = Buffer.from(key);
  const runs: string[] = [];
  for (const pad of [0, 1, 2]) {
    const all = Buffer.concat([Buffer.alloc(pad, 0x41), bytes]).toString('base64');
    const own = all.slice(Math.ceil((pad * 8) / 6), Math.floor(((pad + bytes.length) * 8) / 6));
    runs.push(own, own.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return runs;
}

export function spellings(key: string): string[] {
  const uri = encodeURIComponent(key);
  const form = new URLSearchParams({ k: key }).toString().slice(2);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  return [...new Set([key, uri, uri.replace(/%20/g, '+'), form, lowerHex(uri), lowerHex(form), JSON.stringify(key).slice(1, -1), ...base64Runs(key)])];
}

/** A careless server's reply: the key in every spelling, as a Basic header, inside an encoded blob. */
export function echoOf(key: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    `as-given ${key}`,
    `url ${encodeURIComponent(key)}`,
    `form ${new URLSearchParams({ k: key }).toString()}`,
    `json ${JSON.stringify({ key })}`,
    `basic ${b64(`user:${key}`)}`,
    `blob ${b64(`x${key}y`)}`,
    `url-safe ${b64(`xy${key}`).replace(/\+/g, '-').replace(/\//g, '_')}`,
  ].join(' ; ');
}

/** None of the keys, in any spelling, in the output or in any file under `dirs`. */
export async function assertNowhere(keys: readonly string[], output: { stdout: string; stderr: string }, dirs: readonly string[]): Promise<void> {
  for (const key of keys) {
    for (const form of spellings(key)) {
      assert.ok(!output.stdout.includes(form), `stdout holds ${key} as ${form}:\n${output.stdout}`);
      assert.ok(!output.stderr.includes(form), `stderr holds ${key} as ${form}:\n${output.stderr}`);
    }
    for (const dir of dirs) {
      for (const file of await filesUnder(dir)) {
        const bytes = await fs.readFile(file);
        for (const form of spellings(key)) assert.ok(!bytes.includes(form), `${file} holds ${key} as ${form}`);
      }
    }
  }
}
