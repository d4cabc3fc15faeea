// Prompt templates loaded from files (PromptTemplates in dialect.ts): filling in the
// question, and the opening turn a template makes.
import { imagePart, textPart, type ChatMessage, type ContentPart } from '../chat';
import type { PromptContext } from './dialect';

const QUESTION = '{question}';

/** The template with every `{question}` replaced (no other placeholder is read). */
export function fillQuestion(template: string, question: string): string {
  return template.split(QUESTION).join(question);
}

/**
 * The opening turn from a template: one user message, the image where `<image>` stands (else
 * before the text), the question where `{question}` stands (else right after the text, as
 * MMSearch-R1 appends it to its round-1 prompt).
 */
export function openingFromTemplate(template: string, ctx: PromptContext): ChatMessage[] {
  const withQuestion = template.includes(QUESTION) ? template : template + QUESTION;
  const at = withQuestion.indexOf('<image>');
  const before = at === -1 ? '' : withQuestion.slice(0, at);
  const after = at === -1 ? withQuestion : withQuestion.slice(at + '<image>'.length);
  const parts: ContentPart[] = [];
  if (before) parts.push(textPart(fillQuestion(before, ctx.question)));
  parts.push(imagePart(ctx.imageUrl));
  if (after) parts.push(textPart(fillQuestion(after, ctx.question)));
  return [{ role: 'user', content: parts }];
}

/** The text of messages as the model reads it, `<image>` where an image went: what a record keeps of the opening. */
export function messageTexts(messages: readonly ChatMessage[]): { role: string; text: string }[] {
  return messages.map((m) => ({
    role: m.role,
    text: typeof m.content === 'string' ? m.content : m.content === null ? '' : m.content.map((p) => (p.type === 'text' ? p.text : '<image>')).join(''),
  }));
}
