// The trajectory webview's check of what the host sends, without zod: the same verdicts as
// hostMessageSchema and responseSchemas (messages.ts, trajectory.ts), written out. Zod is two
// thirds of the bundle and builds its schemas at start-up; a panel opened for every trajectory
// of a review queue pays for that each time. A unit test holds each check to its schema's verdicts.
import type { HostMessage, RequestMethod, ResponseOf } from './messages';

/** A check: undefined when the value is valid, else what is wrong and where. */
type Check = (v: unknown, at: string) => string | undefined;

const wrong = (at: string, what: string) => `${at || 'message'}: ${what}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str =
  (min = 0, max = Infinity): Check =>
  (v, at) =>
    typeof v !== 'string' ? wrong(at, 'expected a string') : v.length < min || v.length > max ? wrong(at, 'wrong length') : undefined;

/** A finite number; `int` is a safe integer; `gt`/`min`/`max` bound it as zod's positive/min/max do. */
const num =
  (o: { int?: boolean; gt?: number; min?: number; max?: number } = {}): Check =>
  (v, at) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return wrong(at, 'expected a number');
    if (o.int && !Number.isSafeInteger(v)) return wrong(at, 'expected an integer');
    if ((o.gt !== undefined && v <= o.gt) || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) return wrong(at, 'out of range');
    return undefined;
  };
const int = (o: { gt?: number; min?: number; max?: number } = {}) => num({ ...o, int: true });

const bool: Check = (v, at) => (typeof v === 'boolean' ? undefined : wrong(at, 'expected a boolean'));
const nul: Check = (v, at) => (v === null ? undefined : wrong(at, 'expected null'));
const anything: Check = () => undefined;

const oneOf = (values: readonly unknown[]): Check => {
  const allowed = new Set(values);
  return (v, at) => (allowed.has(v) ? undefined : wrong(at, `expected one of ${values.join(', ')}`));
};

const opt =
  (check: Check): Check =>
  (v, at) =>
    v === undefined ? undefined : check(v, at);
const orNull =
  (check: Check): Check =>
  (v, at) =>
    v === null ? undefined : check(v, at);

const arr =
  (item: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return wrong(at, 'expected an array');
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${at}.${i}`);
      if (e) return e;
    }
    return undefined;
  };

const tuple =
  (item: Check, length: number): Check =>
  (v, at) =>
    !Array.isArray(v) || v.length !== length ? wrong(at, `expected ${length} items`) : arr(item)(v, at);

/** An object of string values (zod's record: a plain object, not an array). */
const record: Check = (v, at) => {
  if (!isObject(v)) return wrong(at, 'expected an object');
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return wrong(`${at}.${k}`, 'expected a string');
  return undefined;
};

type Shape = Record<string, Check>;

/** Checks the fields a shape names; other fields are let through (zod's objects, loose or not, do not refuse them). */
const obj =
  (shape: Shape): Check =>
  (v, at) => {
    if (!isObject(v)) return wrong(at, 'expected an object');
    for (const key in shape) {
      const e = shape[key]!(v[key], at ? `${at}.${key}` : key);
      if (e) return e;
    }
    return undefined;
  };

/** zod's discriminatedUnion: the field `key` picks the one shape the value must have. */
const union = (key: string, options: Record<string, Shape>): Check => {
  const byTag = new Map(Object.entries(options).map(([tag, shape]) => [tag, obj(shape)]));
  return (v, at) => {
    if (!isObject(v)) return wrong(at, 'expected an object');
    const check = typeof v[key] === 'string' ? byTag.get(v[key]) : undefined;
    return check ? check(v, at) : wrong(at ? `${at}.${key}` : key, 'unknown kind');
  };
};

// trajectory.ts, field for field.
const DIALECTS = ['gog', 'mmsearch-r1', 'tool-calls'];
const BOX_FORMATS = ['pixels-sent', 'rel-1000', 'rel-1'];
const STOPS = ['answered', 'max_turns', 'cancelled', 'error', 'search_limit', 'parse_error'];
const LABELS = ['accepted', 'rejected', 'needs-fix'];
const REFLECTION_KINDS = ['think', 'reflect', 'reason'];

const box = tuple(num(), 4);
const positive = int({ gt: 0 });
const size = obj({ width: positive, height: positive });

const header = obj({
  type: oneOf(['header']),
  schema: oneOf([1]),
  id: str(1),
  created: str(),
  question: str(),
  gold: opt(arr(str())),
  dataset: opt(str()),
  sampleId: opt(str()),
  image: obj({
    path: str(),
    sha256: str(),
    format: str(),
    width: positive,
    height: positive,
    orientation: int({ min: 1, max: 8 }),
    oriented: size,
    sent: obj({ width: positive, height: positive, path: opt(str()) }),
    url: opt(str()),
  }),
  model: obj({
    endpoint: str(),
    name: str(),
    dialect: oneOf(DIALECTS),
    boxFormat: oneOf(BOX_FORMATS),
    temperature: opt(num()),
    maxTokens: opt(num()),
    evidenceImages: opt(bool),
  }),
  agent: obj({
    maxTurns: positive,
    topK: positive,
    preset: opt(str()),
    rules: opt(
      obj({
        searchLimits: opt(obj({ image_search: opt(int({ min: 0 })), text_search: opt(int({ min: 0 })) })),
        lastTurn: opt(oneOf(['force', 'plain'])),
        unreadable: opt(oneOf(['tell', 'end'])),
        textSearchImages: opt(bool),
      }),
    ),
  }),
  search: obj({
    image: str(),
    text: str(),
    services: opt(record),
    uploader: opt(str()),
    pages: opt(obj({ reader: str(), summarizer: str(), pages: positive })),
  }),
  tools: record,
  prompts: opt(
    obj({
      source: str(),
      sha256: opt(str()),
      opening: arr(obj({ role: str(), text: str() })),
      afterImageSearch: str(),
      afterTextSearch: str(),
      forceAnswer: str(),
    }),
  ),
  note: opt(str()),
  parent: opt(obj({ file: str(), id: str(), step: positive })),
});

const eventBase: Shape = { step: int({ min: 0 }), t: str(), id: opt(str(1, 64)) };

const result = obj({
  rank: positive,
  title: str(),
  url: str(),
  snippet: str(),
  summary: opt(str()),
  page: opt(str()),
  thumbnail: opt(str()),
  provider: str(),
  score: opt(num()),
  source: opt(str()),
});

const edit = union('op', {
  set_box: { target: str(), box },
  set_text: { target: str(), text: str() },
  drop_step: { target: positive },
  restore_step: { target: positive },
  insert_reflection: { target: positive, kind: oneOf(REFLECTION_KINDS), text: str() },
  label: { label: oneOf(LABELS), note: opt(str()), tags: opt(arr(str())), adjudicated: opt(bool) },
  revert: { target: str() },
});

const annotationShape: Shape = { ...eventBase, author: opt(str()), edit };
const annotation = obj({ type: oneOf(['annotation']), ...annotationShape });

const event = union('type', {
  model_turn: {
    ...eventBase,
    raw: str(),
    reasoning: opt(str()),
    toolCalls: opt(arr(obj({ id: str(), type: oneOf(['function']), function: obj({ name: str(), arguments: str() }) }))),
    usage: opt(obj({ prompt: num(), completion: num() })),
    finishReason: opt(orNull(str())),
    cut: opt(obj({ reason: oneOf(['too_long', 'timeout', 'error']), message: str() })),
    ms: num(),
  },
  reflection: { ...eventBase, kind: oneOf(REFLECTION_KINDS), text: str() },
  action: {
    ...eventBase,
    action: union('kind', {
      answer: { text: str() },
      text_search: { query: str() },
      image_search: { scope: oneOf(['full', 'region']), box: opt(obj({ model: box, sent: box, original: box })), crop: opt(str()) },
      parse_error: { message: str() },
    }),
  },
  observation: {
    ...eventBase,
    tool: oneOf(['text_search', 'image_search']),
    results: arr(result),
    error: opt(str()),
    notes: opt(arr(str())),
    cached: opt(bool),
    searchedUrl: opt(str()),
    ms: num(),
  },
  notice: { ...eventBase, message: str() },
  final: {
    ...eventBase,
    answer: orNull(str()),
    stopReason: oneOf(STOPS),
    error: opt(str()),
    score: opt(obj({ exactMatch: num(), f1: num() })),
    turns: int({ min: 0 }),
    ms: num(),
  },
  annotation: annotationShape,
});

// messages.ts, field for field.
const pendingShape: Shape = { version: int({ min: 0 }), annotations: arr(annotation) };

const schemeKey: Check = (v, at) => (typeof v === 'string' && /^[a-z0-9]$/.test(v) ? undefined : wrong(at, 'expected a key'));
const listOf =
  (item: Check, min: number, max: number): Check =>
  (v, at) =>
    Array.isArray(v) && (v.length < min || v.length > max) ? wrong(at, 'wrong length') : arr(item)(v, at);
const scheme = obj({
  verdicts: listOf(obj({ label: oneOf(LABELS), key: opt(schemeKey), name: opt(str(0, 80)), needsReason: opt(bool) }), 1, LABELS.length),
  categories: listOf(obj({ id: str(1, 40), name: opt(str(0, 80)), key: opt(schemeKey), needsReason: opt(bool) }), 0, 100),
  source: opt(str()),
});

const hostMessage = union('type', {
  init: {
    title: str(),
    source: opt(str()),
    header: orNull(header),
    events: arr(event),
    problems: arr(obj({ line: int(), message: str() })),
    assets: record,
    refused: opt(record),
    live: bool,
    complete: bool,
    editable: opt(bool),
    pending: opt(obj(pendingShape)),
    annotator: opt(str()),
    scheme: opt(scheme),
    schemeWarning: opt(str(0, 4000)),
    blind: opt(obj({ hidden: int({ min: 0 }), revealed: bool })),
  },
  events: { events: arr(event), complete: bool, assets: opt(record), refused: opt(record), pending: opt(obj(pendingShape)) },
  pending: pendingShape,
  queue: { position: opt(positive), shown: int({ min: 0 }), total: int({ min: 0 }), reviewed: int({ min: 0 }) },
  delta: { step: int(), text: str() },
  status: { running: bool, message: opt(str()) },
  response: { requestId: int(), ok: bool, result: anything, error: opt(str()) },
});

const related = obj({ file: str(), label: str(), step: opt(positive), answer: opt(orNull(str())), missing: opt(bool) });

const responses: { [M in RequestMethod]: Check } = {
  openExternal: nul,
  cancel: nul,
  edit: obj({ annotation, version: int({ min: 0 }) }),
  related: obj({ parent: opt(related), branches: arr(related) }),
  openTrajectory: nul,
  keepBranch: obj({ accepted: str(), rejected: str() }),
  history: nul,
  rerunFromStep: nul,
  queue: obj({ opened: orNull(str()) }),
};

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

function checked<T>(check: Check, v: unknown): Checked<T> {
  const error = check(v, '');
  return error ? { ok: false, error } : { ok: true, value: v as T };
}

/** A message from the host, if it is one the protocol (hostMessageSchema) allows. */
export function checkHostMessage(v: unknown): Checked<HostMessage> {
  return checked(hostMessage, v);
}

/** The result of a request, if it has the shape responseSchemas gives its method. */
export function checkResponse<M extends RequestMethod>(method: M, v: unknown): Checked<ResponseOf<M>> {
  return checked(responses[method], v);
}
