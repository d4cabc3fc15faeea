// The VQA challenge's answer clean-up as OmniSearch's DynVQA evaluation applies it to a
// prediction (Alibaba-NLP/OmniSearch @b01e78e src/Omnisearch_gpt/evaluate.py: the loop
// 253-259, `processPunctuation` 222-231, `processDigitArticle` 233-247, the tables
// `contractions` 9-130, `manualMap` 132-145, `punct` 153-175), quirks kept: punctuation is deleted or spaced by whether it
// appears spaced anywhere in the text, periods not before a digit are deleted only 32 times
// (`periodStrip.sub('', outText, re.UNICODE)` passes re.UNICODE, 32, as the count), number
// words become digits, articles go, and contractions written without an apostrophe get one.
import { pySplit, pyStrip } from '../../core/pythonText';

const PUNCT = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!'];
const COMMA_IN_NUMBER = /\p{Nd},\p{Nd}/u;
const PERIOD_NOT_BEFORE_DIGIT = /\.(?!\p{Nd})/gu;
const PERIOD_STRIP_COUNT = 32;

// prettier-ignore
const NUMBER_WORDS: Readonly<Record<string, string>> = {
  none: '0', zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
};
const ARTICLES = new Set(['a', 'an', 'the']);

/** The VQA evaluation's table of contractions written without their apostrophe. */
// prettier-ignore
const CONTRACTIONS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    aint: "ain't", arent: "aren't", cant: "can't", couldve: "could've", couldnt: "couldn't", "couldn'tve": "couldn't've",
    "couldnt've": "couldn't've", didnt: "didn't", doesnt: "doesn't", dont: "don't", hadnt: "hadn't", "hadnt've": "hadn't've",
    "hadn'tve": "hadn't've", hasnt: "hasn't", havent: "haven't", hed: "he'd", "hed've": "he'd've", "he'dve": "he'd've", hes: "he's",
    howd: "how'd", howll: "how'll", hows: "how's", "Id've": "I'd've", "I'dve": "I'd've", Im: "I'm", Ive: "I've", isnt: "isn't", itd: "it'd",
    "itd've": "it'd've", "it'dve": "it'd've", itll: "it'll", "let's": "let's", maam: "ma'am", mightnt: "mightn't", "mightnt've": "mightn't've",
    "mightn'tve": "mightn't've", mightve: "might've", mustnt: "mustn't", mustve: "must've", neednt: "needn't", notve: "not've",
    oclock: "o'clock", oughtnt: "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at", "'ow'sat": "'ow's'at", shant: "shan't",
    "shed've": "she'd've", "she'dve": "she'd've", "she's": "she's", shouldve: "should've", shouldnt: "shouldn't",
    "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've", "somebody'd": 'somebodyd', "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've", somebodyll: "somebody'll", somebodys: "somebody's", someoned: "someone'd",
    "someoned've": "someone'd've", "someone'dve": "someone'd've", someonell: "someone'll", someones: "someone's",
    somethingd: "something'd", "somethingd've": "something'd've", "something'dve": "something'd've", somethingll: "something'll",
    thats: "that's", thered: "there'd", "thered've": "there'd've", "there'dve": "there'd've", therere: "there're", theres: "there's",
    theyd: "they'd", "theyd've": "they'd've", "they'dve": "they'd've", theyll: "they'll", theyre: "they're", theyve: "they've",
    twas: "'twas", wasnt: "wasn't", "wed've": "we'd've", "we'dve": "we'd've", weve: "we've", werent: "weren't", whatll: "what'll",
    whatre: "what're", whats: "what's", whatve: "what've", whens: "when's", whered: "where'd", wheres: "where's", whereve: "where've",
    whod: "who'd", "whod've": "who'd've", "who'dve": "who'd've", wholl: "who'll", whos: "who's", whove: "who've", whyll: "why'll",
    whyre: "why're", whys: "why's", wont: "won't", wouldve: "would've", wouldnt: "wouldn't", "wouldnt've": "wouldn't've",
    "wouldn'tve": "wouldn't've", yall: "y'all", "yall'll": "y'all'll", "y'allll": "y'all'll", "yall'd've": "y'all'd've",
    "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've", youd: "you'd", "youd've": "you'd've", "you'dve": "you'd've", youll: "you'll",
    youre: "you're", youve: "you've",
  }),
);

function processPunctuation(text: string): string {
  const commaInNumber = COMMA_IN_NUMBER.test(text);
  let out = text;
  for (const p of PUNCT) {
    // Decided on the text as given, not on what earlier replacements left.
    const spaced = text.includes(`${p} `) || text.includes(` ${p}`) || commaInNumber;
    out = out.split(p).join(spaced ? '' : ' ');
  }
  let removed = 0;
  return out.replace(PERIOD_NOT_BEFORE_DIGIT, (m) => (removed++ < PERIOD_STRIP_COUNT ? '' : m));
}

function processDigitArticle(text: string): string {
  const words = pySplit(text.toLowerCase())
    .map((w) => (Object.hasOwn(NUMBER_WORDS, w) ? NUMBER_WORDS[w]! : w))
    .filter((w) => !ARTICLES.has(w));
  return words.map((w) => CONTRACTIONS.get(w) ?? w).join(' ');
}

/** A prediction as the DynVQA evaluation cleans it before counting tokens. */
export function vqaAnswerText(prediction: string): string {
  const flat = pyStrip(prediction.replaceAll('\n', ' ').replaceAll('\t', ' '));
  return processDigitArticle(processPunctuation(flat));
}
