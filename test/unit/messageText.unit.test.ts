// What the extension logs and notifies: redacted, cleaned of terminal escapes and bidi
// controls, and, in a notification, with no Markdown link VS Code would turn into a button.
import { strict as assert } from 'node:assert';
import { Redactor } from '../../src/core/redact';
import { logText, notificationText } from '../../src/extension/messageText';
import { isClean } from '../helpers/terminalChecks';

/** VS Code's own pattern for links in notifications (src/vs/base/common/linkedText.ts). */
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

describe('extension messages: the log and notifications', () => {
  const key = 'sk-ext-Key/0123456789';
  const r = new Redactor([key]);

  it('the log: no key in any spelling, no escape, no bidi control; the rest kept', () => {
    const text = `run ${encodeURIComponent(key)} \u001b]0;x\u0007 ${Buffer.from(`u:${key}`).toString('base64')} \u202eevil 漢字 😀`;
    const out = logText(text, r);
    assert.ok(isClean(out), out);
    assert.ok(!out.includes(key) && !out.includes(encodeURIComponent(key)));
    assert.match(out, /^run \[redacted\] \\u001b\]0;x\\u0007 .*\[redacted\].* \\u202eevil 漢字 😀$/);
  });

  it('a notification: a run folder or dataset named like a command link is no link', () => {
    for (const name of [
      '[Click me](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)',
      '[x] (https://evil.example/)',
      '[a](file:///etc/passwd "t")',
      '[[nested](command:a)](command:b)',
      '[x]\t(command:a)',
    ]) {
      const out = notificationText(`Glance-or-Gaze: cannot read the run ${name}: broken`, r);
      VSCODE_LINK.lastIndex = 0;
      assert.equal(VSCODE_LINK.exec(out), null, out);
      assert.ok(isClean(out));
    }
    assert.equal(notificationText('Glance-or-Gaze: 3 results, 50.0% exact match.', r), 'Glance-or-Gaze: 3 results, 50.0% exact match.');
  });
});
