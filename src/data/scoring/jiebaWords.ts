// Chinese words as Python's jieba 0.42 `jieba.cut(text)` (accurate mode, HMM on) gives
// them, which OmniSearch's DynVQA evaluation counts. The segmenting of Han text is
// @node-rs/jieba (jieba-rs: the same dictionary, route and HMM); around it, jieba's own
// block rules are followed here, because jieba-rs splits runs of Latin letters, digits and
// hyphens differently ("GPT-5": Python ["GPT", "-", "5"], jieba-rs ["GPT-5"]). Checked
// against Python jieba on every question and answer of the DynVQA files (6,336 texts).
// The native module and its 5 MB dictionary load on first use only.
import { createRequire } from 'node:module';
import { PY_SPACE_CLASS } from '../../core/pythonText';

interface Segmenter {
  cut(text: string, hmm: boolean): string[];
}

/** Python jieba's dictionary has one entry jieba-rs's copy lacks; the totals must agree. */
const MISSING_ENTRIES = 'B超 3 n\n';

/** `re_han_default`: the blocks jieba segments with its dictionary. */
const BLOCK = /([\u4E00-\u9FD5a-zA-Z0-9+#&._%-]+)/u;
/** `re_skip_default`: outside blocks, whitespace is a token and anything else a character each. */
const SKIP = new RegExp(`(\\r\\n|[${PY_SPACE_CLASS}])`, 'u');
const HAN = /[\u4E00-\u9FD5]/u;
/** finalseg's `re_skip`: how a run of non-Han characters without a dictionary word splits. */
const FINALSEG_SKIP = /([a-zA-Z0-9]+(?:\.\d+)?%?)/;

let loaded: { segmenter: Segmenter; latinWords: ReadonlySet<string> } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  // Required at run time, not bundled: a native module with a per-platform binary.
  const require = createRequire(__filename);
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Segmenter } };
  const { dict } = require('@node-rs/jieba/dict') as { dict: Buffer };
  const full = Buffer.concat([dict, Buffer.from(MISSING_ENTRIES)]);
  // Dictionary words with no Han character ("c++", "AT&T"): jieba keeps them whole.
  const latinWords = new Set<string>();
  for (const line of full.toString('utf8').split('\n')) {
    const [word, freq] = line.split(' ');
    if (word && word.length > 1 && !HAN.test(word) && Number(freq) > 0) latinWords.add(word);
  }
  loaded = { segmenter: Jieba.withDict(full), latinWords };
  return loaded;
}

function cutBlock(block: string, out: string[]): void {
  const { segmenter, latinWords } = load();
  // jieba-rs's pieces of a run of non-Han characters are joined and split again as
  // Python's finalseg splits the run.
  let run = '';
  const flush = () => {
    for (const piece of run.split(FINALSEG_SKIP)) if (piece) out.push(piece);
    run = '';
  };
  for (const word of segmenter.cut(block, true)) {
    if (!HAN.test(word) && !(word.length > 1 && latinWords.has(word))) run += word;
    else {
      flush();
      out.push(word);
    }
  }
  flush();
}

/** `list(jieba.cut(text))`. */
export function jiebaWords(text: string): string[] {
  const out: string[] = [];
  text.split(BLOCK).forEach((part, i) => {
    if (!part) return;
    if (i % 2 === 1) return cutBlock(part, out);
    for (const piece of part.split(SKIP)) {
      if (!piece) continue;
      if (SKIP.exec(piece)?.[0] === piece) out.push(piece);
      else out.push(...Array.from(piece));
    }
  });
  return out;
}
