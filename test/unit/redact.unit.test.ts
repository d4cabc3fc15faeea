// The redactor over every spelling a server could echo a key in, at every position and
// alignment, in text and in records; and the one list of a run's secrets.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { REDACTED, Redactor } from '../../src/core/redact';
import { parseEndpoint } from '../../src/model/endpoint';
import { runSecrets, SECRET_ENV } from '../../src/run/runSecrets';
import { spellings } from '../helpers/secretSpellings';

const KEYS = [
  'sk-proj-AbCdEf0123456789',
  'sk-Known+Key/0123456789="ok"',
  'key with spaces & ümlauts/é',
  'short-ok', // the shortest a secret is
  'nvapi-0123456789abcdef', // begins with an escape letter: `\n` before it in JSON
  'ab\\cd"ef\u0001gh',
  '🔑-emoji-key-0123',
];

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const b64url = (s: string) => b64(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** How a careless server could repeat `key`, each inside other text. */
function echoes(key: string): Record<string, string> {
  const out: Record<string, string> = {
    'as given': key,
    'Bearer header': `Authorization: Bearer ${key}`,
    'URL-encoded': encodeURIComponent(key),
    'form-encoded': new URLSearchParams({ key }).toString(),
    'lower-case hex': encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    'JSON-escaped': JSON.stringify({ key }),
    'JSON twice': JSON.stringify(JSON.stringify({ key })),
    'JSON with \\/': JSON.stringify({ key }).replace(/\//g, '\\/'),
    'Basic user:key': `Basic ${b64(`user:${key}`)}`,
    'Basic key:': `Basic ${b64(`${key}:`)}`,
  };
  for (let pad = 0; pad < 6; pad++) {
    const prefix = randomBytes(pad);
    out[`base64 after ${pad} bytes`] = b64(Buffer.concat([prefix, Buffer.from(key), randomBytes(pad % 3)]));
    out[`base64url after ${pad} bytes`] = b64url(Buffer.concat([prefix, Buffer.from(key)]).toString('latin1'));
  }
  return out;
}

describe('redaction: every spelling of a secret', () => {
  for (const key of KEYS) {
    const r = new Redactor([key]);
    for (const [how, echo] of Object.entries(echoes(key))) {
      it(`${JSON.stringify(key)}, ${how}: gone, and the redaction shows`, () => {
        for (const text of [echo, `before ${echo} after`, `${echo}\n${echo}`]) {
          const out = r.text(text);
          // base64url of latin1 is not base64 of the key's bytes when the key is not ASCII: only check what applies.
          if (how.startsWith('base64url') && !/^[\x20-\x7e]*$/.test(key)) continue;
          for (const form of spellings(key)) assert.ok(!out.includes(form), `${how}: ${form} left in ${out}`);
          assert.ok(out.includes(REDACTED), out);
        }
      });
    }
  }

  it('ordinary text is unchanged, and a short value (a placeholder key, a parameter) is no secret', () => {
    const r = new Redactor(['sk-proj-AbCdEf0123456789', 'v=1', 'EMPTY', 'none', 'dummy', 'ollama', undefined, '']);
    const text = 'The answer is "none" (EMPTY, dummy, ollama), 42% of the time; see https://example.org/?v=1&q=x.';
    assert.equal(r.text(text), text);
    assert.deepEqual(r.secrets, ['sk-proj-AbCdEf0123456789']);
    assert.ok(new Redactor([]).empty);
    assert.ok(new Redactor(['EMPTY', 'none']).empty);
  });

  it('a JSON line stays JSON when the secret follows an escape, and loses the secret', () => {
    const key = 'nvapi-0123456789abcdef';
    const r = new Redactor([key]);
    for (const value of [`x\n${key}`, `\n${key.slice(1)}`, `\\${key}`, `"${key}"`, `\t${key}\u0000`]) {
      const line = r.text(JSON.stringify({ raw: value }));
      const back = JSON.parse(line) as { raw: string };
      assert.ok(!line.includes(key) && !back.raw.includes(key), line);
    }
  });

  it('records: every string and key, at any depth (200,000 levels), class instances left alone', () => {
    const key = 'sk-proj-AbCdEf0123456789';
    const r = new Redactor([key]);
    const buffer = Buffer.from(key);
    const record = { answer: `it is ${key}`, [key]: 1, list: [key, { deep: b64(`u:${key}`) }], n: 3, none: null, buffer };
    const out = r.value(record);
    assert.equal(JSON.stringify(out).includes(key), false);
    assert.equal(out.buffer, buffer);
    assert.equal(record.answer, `it is ${key}`, 'the original is left as it was');
    let deep: unknown = key;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    let got = r.value(deep);
    while (Array.isArray(got)) got = got[0] as unknown;
    assert.equal(got, REDACTED);
    const proto = r.value(JSON.parse(`{"__proto__": "${key}"}`) as Record<string, unknown>);
    assert.deepEqual(Object.keys(proto), ['__proto__']);
    assert.equal(JSON.stringify(proto), '{"__proto__":"[redacted]"}');
  });

  it('is fast enough for every line a run writes: 5 MB against 12 secrets in well under a second', () => {
    const r = new Redactor(Array.from({ length: 12 }, (_, i) => `key-${i}-${randomBytes(12).toString('hex')}`));
    const text = randomBytes(3_750_000).toString('base64');
    const t0 = performance.now();
    assert.equal(r.text(text), text);
    assert.ok(performance.now() - t0 < 1000);
  });
});

describe('a run’s secrets: one list', () => {
  it('holds the model, judge, search and upload keys, the environment’s secret variables, and tokens in every URL given', () => {
    const env: Record<string, string> = {};
    for (const name of SECRET_ENV) env[name] = `${name.toLowerCase()}-value-0123`;
    const secrets = runSecrets({
      apiKey: 'model-key-0123',
      judge: { endpoint: 'http://judge.test/v1?token=judge-url-token', apiKey: 'judge-key-0123' },
      searchKeys: { brave: 'brave-key-0123' },
      uploadEnv: env,
      endpoint: 'http://u:model-url-password@model.test/v1?key=model-url-key',
      extraEndpoints: ['http://bearer-token-in-userinfo@other.test/v1'],
      uploadUrl: 'http://up.test/put?sig=upload-sig-0123',
      summaryEndpoint: 'http://sum.test/v1?k=summary-key-0123',
      providerUrls: { searxng: 'http://sx.test/?token=sx-token-0123' },
    });
    for (const s of [
      'model-key-0123',
      'judge-key-0123',
      'judge-url-token',
      'brave-key-0123',
      ...Object.values(env),
      'model-url-password',
      'model-url-key',
      'bearer-token-in-userinfo',
      'upload-sig-0123',
      'summary-key-0123',
      'sx-token-0123',
    ])
      assert.ok(secrets.includes(s), `${s} is missing`);
    for (const name of [
      'OPENAI_API_KEY',
      'GOG_JUDGE_API_KEY',
      'SERPAPI_API_KEY',
      'SERPER_API_KEY',
      'BRAVE_API_KEY',
      'TAVILY_API_KEY',
      'GOOGLE_API_KEY',
      'JINA_API_KEY',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ])
      assert.ok(SECRET_ENV.includes(name), name);
  });

  it('a URL password that does not decode is still a secret, as written', () => {
    assert.ok(parseEndpoint('http://user:pa%zzword@h.test/v1').secrets.includes('pa%zzword'));
  });
});
