// The published layouts of the benchmarks, each recognised by its field names and mapped to
// samples (docs: README "Run a benchmark"). A record is validated on its own: a broken one
// is a problem with a reason, never an exception, and the rest still map.
import { z } from 'zod';
import type { OfficialTruth } from '../scoring/official';
import { dynVqaLanguage } from '../scoring/tokenRecall';
import { asQuestion, asText, getPath, goldList, isRecord, jsonAnswerList, rawImage, type RawImage, type Rec } from './fields';

/** What a record maps to before its image is checked and its position is given. */
export interface RawSample {
  id?: string;
  question: string;
  gold: string[];
  image: RawImage;
  benchmark?: string;
  category?: string;
  /** Tells apart several samples of one record (LiveVQA's two levels). */
  part?: string;
  /** How the benchmark's own measure scores it; the layout's `scorer` when unset. */
  truth?: OfficialTruth;
  /** An image id the dataset's id map may name a file for (InfoSeek's OVEN ids). */
  imageId?: string;
}

/** A record its benchmark's own measure counts (as 0) but no agent here can run (MMSearch's text-only queries). */
export class NotRun {
  constructor(readonly reason: string) {}
}

export type Mapped = RawSample[] | string | NotRun;

export interface Layout {
  id: string;
  /** The benchmark its samples belong to, unless a record says otherwise. */
  benchmark?: string;
  /** The benchmark's own measure (src/data/scoring/official.ts), unless a sample says otherwise. */
  scorer: 'exact-match' | 'f1' | 'judge' | 'token-recall' | 'infoseek';
  /** Whether records with these fields are in this layout. */
  detect(keys: ReadonlySet<string>): boolean;
  map(record: Rec): Mapped;
}

/** The first problem zod finds, in a few words. */
function invalid(e: z.ZodError): string {
  const issue = e.issues[0];
  return issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid record';
}

function one(s: Omit<RawSample, 'gold' | 'question' | 'image'> & { question?: string; gold: string[]; image?: RawImage }): RawSample[] | string {
  if (!s.question) return 'no question';
  if (!s.gold.length) return 'no gold answer';
  if (!s.image) return 'no image';
  return [{ ...s, question: s.question, image: s.image }];
}

function category(...values: unknown[]): string | undefined {
  for (const v of values) {
    const t = asText(v);
    if (t) return t;
  }
  return undefined;
}

/** veRL / MMSearch-R1 parquet: prompt (chat messages), images ({bytes}), reward_model.ground_truth + candidate_answers (a JSON string). FVQA ships in it. */
const verlSchema = z.looseObject({
  prompt: z.union([z.array(z.unknown()).min(1), z.string()]),
  images: z.array(z.unknown()).nullish(),
  reward_model: z.looseObject({ ground_truth: z.unknown(), candidate_answers: z.unknown().optional() }),
});

export const verlLayout: Layout = {
  id: 'verl',
  // MMSearch-R1 scores this data by its reward's exact match.
  scorer: 'exact-match',
  detect: (k) => k.has('prompt') && k.has('reward_model'),
  map(record) {
    const r = verlSchema.safeParse(record);
    if (!r.success) return invalid(r.error);
    const source = asText(record.data_source) ?? '';
    const dataId = asText(record.data_id);
    const tag = `${source} ${dataId ?? ''}`.toLowerCase();
    return one({
      id: dataId ?? asText(getPath(record, 'extra_info.index')),
      question: asQuestion(r.data.prompt),
      gold: goldList(r.data.reward_model.ground_truth, jsonAnswerList(r.data.reward_model.candidate_answers)),
      image: rawImage(r.data.images) ?? rawImage(record.image_urls),
      ...(tag.includes('fvqa') ? { benchmark: 'fvqa' } : tag.includes('infoseek') ? { benchmark: 'infoseek' } : {}),
      category: category(record.category),
    });
  },
};

/** SimpleVQA (m-a-p/SimpleVQA): data_id, image (base64 or an Image struct), question, answer, vqa_category. */
export const simpleVqaLayout: Layout = {
  id: 'simplevqa',
  benchmark: 'simplevqa',
  scorer: 'judge',
  detect: (k) => k.has('question') && k.has('answer') && k.has('image') && (k.has('vqa_category') || k.has('atomic_question') || k.has('image_description')),
  map: (record) =>
    one({
      id: asText(record.data_id),
      question: asQuestion(record.question),
      gold: goldList(record.answer),
      image: rawImage(record.image),
      category: category(record.vqa_category, record.original_category),
    }),
};

/** MMSearch end2end (CaraJ/MMSearch): sample_id, query, query_image (null for text-only queries), gt_answer, alternative_gt_answers, area. */
export const mmsearchLayout: Layout = {
  id: 'mmsearch',
  benchmark: 'mmsearch',
  scorer: 'f1',
  detect: (k) => k.has('query') && k.has('gt_answer'),
  map(record) {
    const image = rawImage(record.query_image);
    if (!image) return new NotRun('a text-only query (query_image is empty): the agents are evaluated on the queries with an image; MMSearch scores it 0');
    return one({
      id: asText(record.sample_id),
      question: asQuestion(record.query),
      gold: goldList(record.gt_answer, record.alternative_gt_answers),
      image,
      category: category(record.area),
    });
  },
};

/**
 * DynVQA (OmniSearch's DynVQA_{en,zh}.*.jsonl): image_url, question, question_id, answer. Its
 * traps: `answer` is null in some rows, a list of lists in the 202410 files, holds numbers;
 * the extra key is `gloden_query` (sic) or `golden_query`; en files hold Chinese answers.
 */
export const dynVqaLayout: Layout = {
  id: 'dynvqa',
  benchmark: 'dynvqa',
  scorer: 'token-recall',
  detect: (k) => k.has('image_url') && k.has('question') && k.has('answer') && (k.has('question_id') || k.has('gloden_query') || k.has('golden_query')),
  map(record) {
    if (record.answer === null || record.answer === undefined) return 'answer is null (DynVQA leaves some rows unanswered)';
    const id = asText(record.question_id);
    const question = asQuestion(record.question);
    // OmniSearch scores the answers as the file holds them (numbers, nested lists), each as Python's str() of it.
    const answers: unknown[] = Array.isArray(record.answer) ? record.answer : [record.answer];
    return one({
      id,
      question,
      gold: goldList(record.answer),
      image: rawImage(record.image_url),
      category: /^(en|zh)/i.exec(id ?? '')?.[1]?.toLowerCase(),
      truth: { scorer: 'token-recall', language: dynVqaLanguage(id, question ?? ''), answers },
    });
  },
};

const liveQaSchema = z.looseObject({ question: z.string().min(1) });

/**
 * LiveVQA (fumingyang2004/LIVEVQA benchmark.json): per item id, img_path (+ img_url), and two
 * questions, level1_qa and level2_qa, each with Ground_Truth_List (free-form answers) and
 * the letter of its option: each level is a sample of its own, category `level1`/`level2`.
 */
export const liveVqaLayout: Layout = {
  id: 'livevqa',
  benchmark: 'livevqa',
  scorer: 'judge',
  detect: (k) => k.has('level1_qa') || k.has('level2_qa'),
  map(record) {
    const out: RawSample[] = [];
    const problems: string[] = [];
    for (const level of ['level1', 'level2'] as const) {
      const qa = record[`${level}_qa`];
      if (qa === undefined || qa === null) continue;
      const r = liveQaSchema.safeParse(qa);
      if (!r.success) {
        problems.push(`${level}_qa: ${invalid(r.error)}`);
        continue;
      }
      const q = r.data;
      // The free-form answers; failing those, the text of the option the letter names.
      let gold = goldList(q.Ground_Truth_List);
      if (!gold.length && typeof q.Ground_Truth === 'string' && Array.isArray(q.options)) {
        const letter = q.Ground_Truth.trim();
        const options: unknown[] = q.options;
        const option = options.find((o) => typeof o === 'string' && o.trim().startsWith(`${letter}.`));
        if (typeof option === 'string') gold = goldList(option.trim().slice(letter.length + 1));
      }
      const path = asText(q.img_path) ?? asText(record.img_path);
      const url = asText(q.img_url) ?? asText(record.img_url);
      const image: RawImage | undefined = path ? { path, ...(url ? { fallbackUrl: url } : {}) } : url ? { url } : undefined;
      const mapped = one({ id: asText(record.id), question: q.question.trim(), gold, image, category: level, part: level });
      if (typeof mapped === 'string') problems.push(`${level}_qa: ${mapped}`);
      else out.push(...mapped);
    }
    return out.length ? out : problems.join('; ') || 'no level1_qa or level2_qa';
  },
};

/** LiveVQA as WebWatcher ships it (JSONL): prompt, file_path, answers, question_id. */
export const liveVqaWebWatcherLayout: Layout = {
  id: 'livevqa-webwatcher',
  benchmark: 'livevqa',
  scorer: 'judge',
  detect: (k) => k.has('prompt') && k.has('answers') && k.has('file_path'),
  map: (record) =>
    one({ id: asText(record.question_id), question: asQuestion(record.prompt), gold: goldList(record.answers), image: rawImage(record.file_path) }),
};

/**
 * InfoSeek (edchengg/infoseek_eval JSONL): data_id, image_id, question, answer / answer_eng /
 * answer_eval. Its images are OVEN files named by image_id: an `image_path` field, the path
 * id2image.jsonl gives the id (in --images or beside the dataset), or a file `<image_id>.jpg`
 * (or .jpeg, .JPEG, .png) in the dataset folder, its `images/` or --images.
 */
export const infoSeekLayout: Layout = {
  id: 'infoseek',
  benchmark: 'infoseek',
  scorer: 'infoseek',
  detect: (k) => k.has('data_id') && k.has('image_id') && k.has('question'),
  map(record) {
    const imageId = asText(record.image_id);
    const own = rawImage(record.image_path) ?? rawImage(record.image);
    const image = own ?? (imageId ? { path: `${imageId}.jpg`, alternatives: ['jpeg', 'JPEG', 'JPG', 'png'].map((ext) => `${imageId}.${ext}`) } : undefined);
    const split = asText(record.data_split);
    const gold = goldList(record.answer_eng, record.answer, record.answer_eval);
    return one({
      id: asText(record.data_id),
      question: asQuestion(record.question),
      gold,
      image,
      category: split ? (/unseen_(question|entity)$/.exec(split)?.[0] ?? split) : undefined,
      truth: infoSeekTruth(record, gold, split),
      // Named by its id only: the id map (id2image.jsonl), when there is one, says where it is.
      ...(imageId && !own ? { imageId } : {}),
    });
  },
};

/**
 * What infoseek_eval.py scores a question by: a numerical one (its `question_type`, or an
 * `answer_eval` of `{wikidata, range}`) by its range, the rest by exact match over
 * `answer_eval` (the gold answers when the file has none); the split by `data_split`.
 */
function infoSeekTruth(record: Rec, gold: string[], split: string | undefined): OfficialTruth {
  const evals: unknown[] = Array.isArray(record.answer_eval) ? record.answer_eval : record.answer_eval === undefined ? [] : [record.answer_eval];
  const ranged = evals.find((e): e is Rec => isRecord(e) && Array.isArray(e.range));
  const declared = asText(record.question_type)?.toLowerCase();
  const type = declared === 'numerical' || (declared === undefined && ranged) ? 'numerical' : declared === 'time' ? 'time' : 'string';
  const range = ranged ? (ranged.range as unknown[]).slice(0, 2).map((x) => asText(x) ?? '') : [];
  const answers = type === 'numerical' ? range : evals.length ? goldList(evals) : gold;
  return { scorer: 'infoseek', type, answers, split: split?.endsWith('unseen_question') ? 'unseen_question' : 'unseen_entity' };
}

const QUESTION_FIELDS = ['question', 'query', 'prompt'];
const ANSWER_FIELDS = ['answer', 'answers', 'gold', 'ground_truth', 'gt_answer', 'label'];
const IMAGE_FIELDS = ['image', 'image_path', 'image_url', 'img_path', 'img', 'file_path', 'images'];
const ID_FIELDS = ['id', 'question_id', 'data_id', 'sample_id', 'qid'];

const firstKey = (record: Rec, keys: readonly string[]) => keys.find((k) => record[k] !== undefined && record[k] !== null);

/** Anything else with a question, an answer and an image under common names. */
export const genericLayout: Layout = {
  id: 'generic',
  scorer: 'exact-match',
  detect: (k) => QUESTION_FIELDS.some((f) => k.has(f)) && ANSWER_FIELDS.some((f) => k.has(f)) && IMAGE_FIELDS.some((f) => k.has(f)),
  map(record) {
    const q = firstKey(record, QUESTION_FIELDS);
    const a = firstKey(record, ANSWER_FIELDS);
    const i = firstKey(record, IMAGE_FIELDS);
    const id = firstKey(record, ID_FIELDS);
    return one({
      id: id ? asText(record[id]) : undefined,
      question: q ? asQuestion(record[q]) : undefined,
      gold: a ? goldList(record[a]) : [],
      image: i ? rawImage(record[i]) : undefined,
      category: category(record.category),
    });
  },
};

/**
 * A sample's truth under a measure: the one its layout read when that is the measure in
 * force, else what the measure can take from the question and gold answers alone (a file
 * of our own mapping, or `--scorer` naming another measure than the layout's).
 */
export function truthOf(scorer: Layout['scorer'], sample: RawSample): OfficialTruth {
  if (sample.truth?.scorer === scorer) return sample.truth;
  switch (scorer) {
    case 'exact-match':
    case 'f1':
    case 'judge':
      return { scorer };
    case 'token-recall':
      return { scorer, language: dynVqaLanguage(sample.id, sample.question), answers: sample.gold };
    case 'infoseek':
      return { scorer, type: 'string', answers: sample.gold, split: 'unseen_entity' };
    default: {
      const never: never = scorer;
      return never;
    }
  }
}

/** In the order they are tried: the more specific first. */
export const LAYOUTS: readonly Layout[] = [
  verlLayout,
  liveVqaLayout,
  mmsearchLayout,
  dynVqaLayout,
  simpleVqaLayout,
  infoSeekLayout,
  liveVqaWebWatcherLayout,
  genericLayout,
];

export function layoutById(id: string): Layout | undefined {
  return LAYOUTS.find((l) => l.id === id);
}

/** The layout of records with these fields (the union of the first records' keys). */
export function detectLayout(records: readonly unknown[]): Layout | undefined {
  const keys = new Set<string>();
  for (const r of records.slice(0, 20)) if (isRecord(r)) for (const k of Object.keys(r)) keys.add(k);
  return LAYOUTS.find((l) => l.detect(keys));
}
