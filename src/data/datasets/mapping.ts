// A mapping a user writes for a layout we do not know: `--map question=query,answer=gt_answer|alternative_gt_answers,image=query_image,id=sample_id,category=area`.
// Each value is a dotted path into the record (`reward_model.ground_truth`, `prompt.0.content`);
// `answer` may join several with `|`; `benchmark` is a name, not a path.
import { asQuestion, asText, getPath, goldList, jsonAnswerList, rawImage } from './fields';
import type { Layout, Mapped } from './layouts';

export const MAP_KEYS = ['question', 'answer', 'image', 'id', 'category', 'benchmark'] as const;
export type MapKey = (typeof MAP_KEYS)[number];
export type FieldMap = Partial<Record<MapKey, string>>;

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** Parses `key=path,key=path`; throws a MappingError in one line. */
export function parseFieldMap(spec: string): FieldMap {
  const map: FieldMap = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (at <= 0 || !value) throw new MappingError(`--map takes key=field pairs separated by commas; got "${item}"`);
    if (!(MAP_KEYS as readonly string[]).includes(key)) throw new MappingError(`--map: unknown key "${key}"; use ${MAP_KEYS.join(', ')}`);
    map[key as MapKey] = value;
  }
  for (const need of ['question', 'answer', 'image'] as const)
    if (!map[need]) throw new MappingError(`--map needs ${need}=FIELD (question, answer and image are required)`);
  return map;
}

/** The layout a user's mapping describes. */
export function mappedLayout(map: FieldMap): Layout {
  return {
    id: 'mapped',
    scorer: 'exact-match',
    ...(map.benchmark ? { benchmark: map.benchmark } : {}),
    detect: () => true,
    map(record): Mapped {
      const question = asQuestion(getPath(record, map.question!));
      // A string that holds a JSON list (candidate_answers) is read as the list.
      const gold = goldList(
        ...map.answer!.split('|').map((p) => {
          const v = getPath(record, p.trim());
          return typeof v === 'string' && v.trim().startsWith('[') ? jsonAnswerList(v) : v;
        }),
      );
      const image = rawImage(getPath(record, map.image!));
      if (!question) return `no question in ${map.question}`;
      if (!gold.length) return `no gold answer in ${map.answer}`;
      if (!image) return `no image in ${map.image}`;
      const id = map.id ? asText(getPath(record, map.id)) : undefined;
      const category = map.category ? asText(getPath(record, map.category)) : undefined;
      return [{ question, gold, image, ...(id ? { id } : {}), ...(category ? { category } : {}) }];
    },
  };
}
