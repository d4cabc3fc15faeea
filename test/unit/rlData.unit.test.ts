// `gog export-rl` writes data MMSearch-R1 can train on. A benchmark run with the built `gog`
// (Google Lens through a fake SerpApi, uploads to a local PUT server, dataset images by URL
// from a local server) leaves hard queries; the exported Parquet is then read the way
// MMSearch-R1 reads it, field by field:
//   - RLHFDataset.__getitem__ (mmsearch_r1/utils/dataset/mm_rl_dataset.py, the one main_ppo
//     uses): prompt's messages (the round-1 prompt is prepended to prompt[0]['content'], the
//     chat template reads role and content), images' bytes (PIL opens them; here sharp),
//     extra_info['index'];
//   - the trainer and its reward (trainer/multimodal/ray_trainer.py pops `image_urls` with the
//     generation batch when the column is there; workers/multimodal/reward/mmsearch_r1.py
//     reads reward_model['ground_truth'] and json.loads(candidate_answers), data_source picks
//     the reward by "mmsearch_r1" in it);
//   - the rollout (workers/multimodal/rollout/vllm_rollout_spmd.py): an image search sends
//     non_tensor_batch["image_urls"][i] to the search tool, so every row needs the column;
// and the file's schema is held to the schema of their own data, mmsearch_r1/data/mini_data.pq.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import sharp from 'sharp';
import { gog } from '../helpers/cli';
import { startFakeService, type FakeService } from '../helpers/fakeProviders';
import { photo, tempDir } from '../helpers/fixtures';
import { startUploadServer, type UploadServer } from '../helpers/uploadServer';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';

/**
 * The schema of MMSearch-R1's mini_data.pq (EvolvingLMMs-Lab/multimodal-search-r1 at
 * 583c6b49, written by pyarrow 19.0.1 from pandas), as hyparquet's parquetMetadata reads it:
 * each column's repetition, physical type, converted and logical type, and children in order.
 * Their `image_urls` and `images.path` are all None there, so pyarrow gave them its null type
 * (INT32 with logical type NULL); their notebook (data_example.ipynb) says image_urls holds
 * "the corresponding image URL in string format", so ours is an optional UTF8 string there.
 */
interface Node {
  repetition: string;
  type?: string;
  converted?: string;
  logical?: string;
  children?: Record<string, Node>;
}
const text: Node = { repetition: 'OPTIONAL', type: 'BYTE_ARRAY', converted: 'UTF8', logical: 'STRING' };
const allNull: Node = { repetition: 'OPTIONAL', type: 'INT32', logical: 'NULL' };
const listOf = (element: Record<string, Node>): Node => ({
  repetition: 'OPTIONAL',
  converted: 'LIST',
  logical: 'LIST',
  children: { list: { repetition: 'REPEATED', children: { element: { repetition: 'OPTIONAL', children: element } } } },
});
const MINI_DATA: Record<string, Node> = {
  prompt: listOf({ content: text, role: text }),
  images: listOf({ bytes: { repetition: 'OPTIONAL', type: 'BYTE_ARRAY' }, path: allNull }),
  reward_model: { repetition: 'OPTIONAL', children: { candidate_answers: text, ground_truth: text, style: text } },
  data_source: text,
  image_urls: allNull,
};
/** Columns veRL's RLHFDataset reads that their mini file leaves out: ability, and extra_info (its index). */
const VERL_EXTRAS = ['ability', 'extra_info'];

type Element = ReturnType<typeof parquetMetadata>['schema'][number];

/** A schema's elements (depth first, as Parquet lists them) as a tree of Nodes. */
function tree(elements: readonly Element[]): Record<string, Node> {
  let at = 1;
  const children = (n: number): Record<string, Node> => {
    const out: Record<string, Node> = {};
    for (let i = 0; i < n; i++) {
      const e = elements[at++]!;
      const node: Node = { repetition: e.repetition_type ?? 'REQUIRED' };
      if (e.type) node.type = e.type;
      if (e.converted_type) node.converted = e.converted_type;
      if (e.logical_type) node.logical = e.logical_type.type;
      if (e.num_children) node.children = children(e.num_children);
      out[e.name] = node;
    }
    return out;
  };
  return children(elements[0]!.num_children ?? 0);
}

/** Where their all-null (null-typed) columns are, ours must be the optional string their data means. */
function expectLike(ours: Node | undefined, theirs: Node, where: string): void {
  assert.ok(ours, `${where}: missing`);
  const own = ({ children: _, ...fields }: Node) => fields;
  assert.deepEqual(own(ours), theirs.logical === 'NULL' ? text : own(theirs), where);
  assert.deepEqual(Object.keys(ours.children ?? {}), Object.keys(theirs.children ?? {}), `${where}: the same children, in order`);
  for (const [name, child] of Object.entries(theirs.children ?? {})) expectLike(ours.children?.[name], child, `${where}.${name}`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const bytesOf = async (file: string) => {
  const b = await fs.readFile(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

/** What the scripted model does for each question, in the gog dialect: everything wrong, so every query is hard. */
const TOKEN = 'dataset-token-5f3a9c';
const GLANCE = ['<think>Search the picture.</think><search><img></search>', '<think>Hm.</think><answer>Nobody knows</answer>'];
const DIRECT = ['<think>I think I know.</think><answer>Nobody knows</answer>'];

describe('RL data MMSearch-R1 trains on (gog export-rl)', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-rl-data-');
  let model: WireServer;
  let images: http.Server;
  let imageBase: string;
  let uploads: UploadServer;
  let serpapi: FakeService;
  let file: string;
  let run: string;
  let rows: Record<string, unknown>[];
  /** Sample by sample: its question, its image (a URL or a file), its script, and the image_urls it must get. */
  let samples: { question: string; image: string; turns: string[]; gold: string[] }[];

  before(async () => {
    const data = path.join(tmp.dir, 'data');
    await fs.mkdir(data);
    const jpeg = async (name: Parameters<typeof photo>[0]) => sharp(photo(name)).resize({ width: 320 }).jpeg().toBuffer();
    const served = new Map([['/img/chelsea.jpg', await jpeg('chelsea.png')]]);
    images = http.createServer((req, res) => {
      const body = served.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (body) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    imageBase = `http://127.0.0.1:${(images.address() as import('node:net').AddressInfo).port}`;
    await fs.writeFile(path.join(data, 'coffee.jpg'), await jpeg('coffee.png'));
    await fs.writeFile(path.join(data, 'rocket.jpg'), await jpeg('rocket.jpg'));
    samples = [
      // The dataset's own URL: recorded, and what the glance had Lens search.
      { question: "What is this cat's name?", image: `${imageBase}/img/chelsea.jpg`, turns: GLANCE, gold: ['Chelsea', 'Chelsea the cat', 'チェルシー 🐈'] },
      // A file: the glance uploads it for Lens, and that URL is the one to train with.
      { question: 'What drink is in the cup?', image: 'coffee.jpg', turns: GLANCE, gold: ['coffee', 'espresso'] },
      // A file no run put online: no URL (null).
      { question: 'Which spacecraft did this rocket launch?', image: 'rocket.jpg', turns: DIRECT, gold: ['DSCOVR'] },
      // A URL with a token: recorded without it, and not handed to Lens (the image is uploaded instead).
      { question: 'Whose cat is this?', image: `${imageBase}/img/chelsea.jpg?token=${TOKEN}`, turns: GLANCE, gold: ['Stefan'] },
    ];
    await fs.writeFile(
      path.join(data, 'rl.jsonl'),
      samples.map((s, i) => JSON.stringify({ id: `q${i}`, question: s.question, answer: s.gold, image: s.image })).join('\n') + '\n',
    );

    model = await startWireServer((_req, res, body) => {
      const request = JSON.parse(body) as { messages: { role: string; content: unknown }[] };
      const sample = samples.find((s) => JSON.stringify(request.messages[1]?.content ?? '').includes(s.question))!;
      const turn = request.messages.filter((m) => m.role === 'assistant').length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion(sample.turns[Math.min(turn, sample.turns.length - 1)]!));
    });
    uploads = await startUploadServer();
    serpapi = await startFakeService('serpapi');
    run = path.join(tmp.dir, 'run');
    const bench = await gog(
      [
        ...['bench', path.join(data, 'rl.jsonl'), '--endpoint', model.url, '--no-stream', '--out', run, '--cache', path.join(tmp.dir, 'cache')],
        ...['--allow-private-urls', '--image-search', 'serpapi-lens', '--provider-url', `serpapi=${serpapi.origin}`],
        ...['--upload-url', uploads.uploadUrl, '--public-url', uploads.publicUrl],
      ],
      { cwd: tmp.dir, env: { SERPAPI_API_KEY: serpapi.key } },
    );
    assert.equal(bench.code, 0, bench.stderr);
    file = path.join(tmp.dir, 'hard.parquet');
    const exported = await gog(['export-rl', run, '--out', file], { cwd: tmp.dir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^4 of 4 queries are hard/);
    rows = (await parquetReadObjects({ file: await bytesOf(file), utf8: false })) as Record<string, unknown>[];
  });
  after(async () => {
    await Promise.all([model.close(), uploads.close(), serpapi.close(), new Promise<void>((r) => images.close(() => r()))]);
    tmp.cleanup();
  });

  it("writes image_urls as MMSearch-R1's data holds it: the dataset's image URL, else where a glance uploaded the image for Lens, else null; never a credential", async () => {
    assert.equal(rows.length, 4);
    const [byUrl, uploaded, none, withToken] = rows;
    assert.equal(byUrl!.image_urls, samples[0]!.image);
    // The fake Lens fetched the dataset's URL itself: nothing of that sample was uploaded.
    const lensUrls = serpapi.requests.filter((r) => r.query.engine === 'google_lens').map((r) => r.query.url);
    assert.ok(lensUrls.includes(samples[0]!.image), JSON.stringify(lensUrls));
    assert.equal(typeof uploaded!.image_urls, 'string');
    assert.ok((uploaded!.image_urls as string).startsWith(`${uploads.publicUrl}/`), String(uploaded!.image_urls));
    assert.ok(lensUrls.includes(uploaded!.image_urls as string), 'the URL Lens was given');
    assert.equal(none!.image_urls, null);
    // The token goes nowhere: not to Lens, not into the record, not into the file.
    assert.equal(withToken!.image_urls, `${imageBase}/img/chelsea.jpg`);
    assert.ok(!lensUrls.some((u) => u?.includes(TOKEN)), 'a URL with a token is not handed to Lens');
    assert.equal(lensUrls.length, 3, 'the three glances');
    for (const f of [file, ...(await filesUnder(run))]) assert.ok(!(await fs.readFile(f)).includes(TOKEN), `the token in ${f}`);
  });

  it('reads as RLHFDataset.__getitem__, the trainer, its reward and the rollout read it, field by field', async () => {
    for (const [i, row] of rows.entries()) {
      const where = `row ${i}`;
      // __getitem__: chat = row_dict.pop('prompt'); user_prompt_round_1 + x[0]['content']; apply_chat_template(chat).
      const chat = row.prompt as { role: unknown; content: unknown }[];
      assert.ok(Array.isArray(chat) && chat.length >= 1, `${where}: prompt is a list of messages`);
      for (const m of chat) assert.deepEqual([typeof m.role, typeof m.content], ['string', 'string'], `${where}: a message has a role and a content`);
      assert.equal(chat[0]!.role, 'user');
      assert.equal(chat[0]!.content, samples[i]!.question);
      // process_image(image): Image.open(BytesIO(image['bytes'])), one per <image>; the round-1 prompt holds one.
      const imgs = row.images as { bytes: unknown }[];
      assert.equal(imgs.length, 1, `${where}: one image`);
      assert.ok(imgs[0]!.bytes instanceof Uint8Array, `${where}: image bytes`);
      const meta = await sharp(imgs[0]!.bytes).metadata();
      assert.equal(meta.width, 320, `${where}: the image decodes`);
      // row_dict.get("extra_info", {}).get("index", 0)
      const extra = row.extra_info as { index: unknown };
      assert.equal(typeof extra.index, 'bigint', `${where}: extra_info.index is an integer`);
      assert.equal(Number(extra.index), i);
      // The reward: ground_truth a string, candidate_answers a JSON string of strings, "mmsearch_r1" in data_source.
      const reward = row.reward_model as { ground_truth: unknown; candidate_answers: unknown; style: unknown };
      assert.equal(typeof reward.ground_truth, 'string');
      assert.equal(typeof reward.candidate_answers, 'string');
      const candidates = JSON.parse(reward.candidate_answers as string) as unknown[];
      assert.ok(candidates.every((c) => typeof c === 'string'));
      assert.deepEqual([reward.ground_truth, ...candidates], samples[i]!.gold);
      assert.equal(reward.style, 'rule');
      assert.equal(typeof row.data_source, 'string');
      assert.ok((row.data_source as string).includes('mmsearch_r1'), `${where}: the reward is picked by "mmsearch_r1" in data_source`);
      // The trainer pops image_urls with the generation batch; the rollout reads non_tensor_batch["image_urls"][i].
      assert.ok('image_urls' in row, `${where}: no image_urls column, so the rollout's image search raises KeyError`);
      assert.ok(row.image_urls === null || typeof row.image_urls === 'string', `${where}: image_urls is a string or null`);
    }
  });

  it("has the columns of MMSearch-R1's own data (mini_data.pq): the same names, types and nesting, plus veRL's ability and extra_info", async () => {
    const ours = tree(parquetMetadata(await bytesOf(file)).schema);
    assert.deepEqual(Object.keys(ours).sort(), [...Object.keys(MINI_DATA), ...VERL_EXTRAS].sort());
    for (const [name, node] of Object.entries(MINI_DATA)) expectLike(ours[name], node, name);
    assert.deepEqual(ours.ability, text);
    assert.deepEqual(Object.keys(ours.extra_info?.children ?? {}), ['index', 'id', 'pass_rate', 'rollouts', 'split']);
    assert.deepEqual(ours.extra_info!.children!.index, { repetition: 'OPTIONAL', type: 'INT64' });
  });
});
