// Keys never leak. Every provider that takes a key runs against a careless service (its
// fake repeats the key it received in error messages, result titles, snippets and URLs)
// through its successes and each documented error, a wrong key, a timeout and a refused
// retry; the key, as sent, URL-encoded or JSON-escaped, must be in no ProviderError message
// and in no field of any SearchHit, and the redaction must be visible where it happened.
import { strict as assert } from 'node:assert';
import type { SearchHit } from '../../src/core/ports';
import { CASES, ProviderBench, type Case } from '../helpers/providerBench';

/** Characters that encode differently in a query string, a header and JSON. */
const KEY = 'sk-Known+Key/0123456789="ok"';
const WRONG = 'wrong+Key/ABCDEFGHIJ';

function forms(key: string): string[] {
  return [key, encodeURIComponent(key), new URLSearchParams({ k: key }).toString().slice(2), JSON.stringify(key).slice(1, -1)];
}

/** A hit as it would be recorded: every field but the thumbnail's pixels. */
function recorded(hit: SearchHit): string {
  const { thumbnail: _pixels, ...fields } = hit;
  return JSON.stringify(fields);
}

describe('search provider keys never leak', () => {
  let bench: ProviderBench;
  before(async () => {
    bench = await ProviderBench.start(KEY);
  });
  after(() => bench.close());

  const keyed = CASES.filter((c) => c.id !== 'searxng'); // SearXNG takes no key

  /** Everything a provider said in one pass through its successes and failures. */
  async function everythingSaid(c: Case): Promise<{ messages: string[]; hits: string[] }> {
    const fake = bench.fake(c);
    fake.reset();
    fake.echoKey = true;
    const messages: string[] = [];
    const hits: string[] = [];
    const ok = async (o: Parameters<ProviderBench['run']>[1]) => {
      const outcome = await bench.run(c, o);
      hits.push(outcome.id, ...outcome.results.map(recorded));
    };
    const fails = async (o: Parameters<ProviderBench['run']>[1]) => messages.push((await bench.failure(c, o)).message);
    await ok({ topK: 10 });
    if (c.id === 'serpapi-lens') await ok({ topK: 10, exact: true, image: bench.crop });
    fake.script('empty');
    await ok({});
    for (const err of c.errors) {
      if (err.reply) fake.script(err.reply);
      await fails(err.wrongKey ? { key: WRONG } : {});
    }
    await fails({ key: WRONG, retries: 2 });
    fake.script('rateLimited');
    await fails({ retries: 2, timeoutMs: 500 }); // the wait does not fit: the 429 is the answer
    fake.script('slow');
    await fails({ timeoutMs: 200 });
    // The test means something only if the key went out and came back.
    assert.ok(
      fake.requests.some((r) => JSON.stringify(r).includes(JSON.stringify(KEY).slice(1, -1)) || Object.values(r.query).includes(KEY)),
      'the key was sent',
    );
    return { messages, hits };
  }

  for (const c of keyed) {
    it(`${c.id}: not in any error message nor any recorded result field`, async () => {
      const { messages, hits } = await everythingSaid(c);
      for (const text of [...messages, ...hits]) {
        for (const form of [...forms(KEY), ...forms(WRONG)]) assert.ok(!text.includes(form), `leaked as ${form}: ${text}`);
      }
      assert.ok(
        messages.some((m) => m.includes('[redacted]')),
        `the service echoed the key into an error and it was redacted: ${messages.join(' | ')}`,
      );
      assert.ok(
        hits.some((h) => h.includes('[redacted]')),
        'the service echoed the key into a result and it was redacted',
      );
    });
  }
});
