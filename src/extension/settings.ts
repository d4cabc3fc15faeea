// The `gog.*` settings, read fresh for every run so a change takes effect without a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BoxFormat } from '../core/geometry';
import type { DialectId } from '../core/trajectory';
import { DEFAULT_ENDPOINT } from '../model/client';
import { QUERY_DEFAULTS, type QuerySettings } from '../run/runQuery';

export type RunSettings = Omit<QuerySettings, 'image' | 'question' | 'runDir' | 'apiKey' | 'gold'>;

/** Reads gog.* for a resource; relative folders resolve against `base` (the workspace folder). */
export function readSettings(scope: vscode.Uri | undefined, base: string, bundledCorpus: string): RunSettings {
  const c = vscode.workspace.getConfiguration('gog', scope);
  const d = QUERY_DEFAULTS;
  const folder = (value: string) => (path.isAbsolute(value) ? value : path.join(base, value));
  const corpus = c.get<string>('corpusFolder', '').trim();
  const settings: RunSettings = {
    endpoint: c.get<string>('endpoint', DEFAULT_ENDPOINT).trim() || DEFAULT_ENDPOINT,
    model: c.get<string>('model', '').trim(),
    dialect: c.get<DialectId>('dialect', d.dialect),
    boxFormat: c.get<BoxFormat>('boxFormat', d.boxFormat),
    maxTurns: c.get<number>('maxTurns', d.maxTurns),
    maxPixels: c.get<number>('maxPixels', d.maxPixels),
    topK: c.get<number>('resultsPerSearch', d.topK),
    evidenceImages: c.get<boolean>('evidenceImages', d.evidenceImages),
    temperature: c.get<number>('temperature', d.temperature),
    maxTokens: c.get<number>('maxTokens', d.maxTokens),
    timeoutMs: c.get<number>('timeoutSeconds', d.timeoutMs / 1000) * 1000,
    maxRetries: c.get<number>('retries', d.maxRetries),
    stream: c.get<boolean>('stream', d.stream),
    corpusDir: corpus ? folder(corpus) : bundledCorpus,
    indexDir: path.join(base, '.gog', 'cache', 'index'),
  };
  if (c.get<boolean>('cacheSearches', true)) settings.cacheDir = path.join(base, '.gog', 'cache');
  return settings;
}
