import type { TrajectoryHeader } from '../../src/core/trajectory';

/** A valid header for tests that need one. */
export function sampleHeader(overrides: Partial<TrajectoryHeader> = {}): TrajectoryHeader {
  return {
    type: 'header',
    schema: 1,
    id: 'run-1',
    created: '2026-11-24T10:00:00.000Z',
    question: 'Who is this?',
    image: {
      path: 'image.png',
      sha256: 'ab'.repeat(32),
      format: 'png',
      width: 512,
      height: 512,
      orientation: 1,
      oriented: { width: 512, height: 512 },
      sent: { width: 504, height: 504 },
    },
    model: { endpoint: 'http://127.0.0.1:8000/v1', name: 'm', dialect: 'gog', boxFormat: 'pixels-sent' },
    agent: { maxTurns: 8, topK: 5 },
    search: { image: 'local', text: 'local' },
    tools: { gog: '0.1.0' },
    ...overrides,
  };
}
