// The terminal cleaner over every character a terminal acts on (each C0 and C1 control, DEL,
// every bidirectional mark and override, lone surrogates), alone and inside text, and over
// random text; what is not one of them (emoji, CJK, combining marks, RTL script) is kept.
import { strict as assert } from 'node:assert';
import { randomInt } from 'node:crypto';
import { TerminalLine, terminalOutput, terminalSafe } from '../../src/core/terminalText';
import { BIDI_CONTROLS, isClean } from '../helpers/terminalChecks';

const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== '\t' && c !== '\n');
const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i));
const LONE = ['\ud800', '\udbff', '\udc00', '\udfff'];
const UNSAFE = [...C0, '\u007f', ...C1, ...BIDI_CONTROLS, ...LONE];

const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

describe('terminal text: one cleaner for everything printed that is not ours', () => {
  it(`every one of the ${UNSAFE.length} unsafe characters, alone and inside text, becomes its visible \\uXXXX escape`, () => {
    for (const c of UNSAFE) {
      assert.equal(terminalSafe(c), hex(c));
      for (const text of [`a${c}b`, `${c}${c}`, `日本${c}語`, `😀${c}`, `${c}\u0301`]) {
        const out = terminalSafe(text);
        assert.ok(isClean(out), JSON.stringify(out));
        assert.ok(out.includes(hex(c)), `${hex(c)} is shown`);
      }
    }
  });

  it('the sequences seen in the wild: window title, clear screen, C1 CSI, right-to-left override', () => {
    const attack = 'cat\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\u2066\r\u0008';
    assert.equal(terminalSafe(attack), 'cat\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u2066\\u000d\\u0008');
  });

  it('keeps tabs, newlines, emoji (joined, flags, skin tones), CJK, combining marks, Arabic and Hebrew, joiners, astral characters', () => {
    for (const text of [
      'a\tb\nc',
      '👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇯🇵',
      '漢字かなカナ 한국어',
      'é = e\u0301, ñ = n\u0303, क्षि',
      'مرحبا بالعالم שלום',
      'zero\u200bwidth\u200cnon\u200djoiner',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀',
      '\u00a0\u00ad\u2028',
    ])
      assert.equal(terminalSafe(text), text);
  });

  it('fuzz: 2,000 random strings of code units come out clean, and clean text comes out unchanged', () => {
    const pool = [...UNSAFE, 'a', ' ', '\t', '\n', 'é', '日', '\ud83d\ude00', '\u0301', '\u200d', '\\', 'u', '0'];
    for (let n = 0; n < 2000; n++) {
      let text = '';
      for (let i = randomInt(0, 40); i > 0; i--) text += randomInt(0, 4) ? pool[randomInt(0, pool.length)]! : String.fromCharCode(randomInt(0, 0x10000));
      const out = terminalSafe(text);
      assert.ok(isClean(out), JSON.stringify(text));
      assert.equal(terminalSafe(out), out, 'cleaning twice changes nothing');
      if (isClean(text)) assert.equal(out, text);
    }
  });

  it('a TerminalLine: its parts cleaned, our colours only when asked for, and a redaction cannot add an escape', () => {
    const line = TerminalLine.of([{ style: '2', text: '[1]' }, ' ', { style: '1;32', text: 'answer' }, ' Paris\u001b[2J\u202e']);
    assert.equal(terminalOutput(line, false), '[1] answer Paris\\u001b[2J\\u202e');
    assert.equal(terminalOutput(line, true), '\u001b[2m[1]\u001b[0m \u001b[1;32manswer\u001b[0m Paris\\u001b[2J\\u202e');
    const mapped = line.map((t) => t.replace('Paris', 'Lyon\u001b]0;x\u0007'));
    assert.ok(isClean(terminalOutput(mapped, false)));
    assert.equal(terminalOutput(mapped, true).split('\u001b[').length - 1, 4, 'only our four colour escapes');
    // A plain string is never trusted, whatever it holds.
    assert.equal(terminalOutput('\u001b[31mred\u001b[0m', true), '\\u001b[31mred\\u001b[0m');
  });
});
