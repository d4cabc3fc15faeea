// The wording a run used, read back from its header. A run records the exact texts it sent
// (`prompts`: the opening and the three instructions, the question filled in); a re-run from
// one of its steps and an SFT export must tell the model the same, not our built-in wording
// when the run was given prompt files. The texts become templates again: the question back
// to `{question}`, and only where they differ from the dialect's own wording.
import type { TrajectoryHeader } from '../trajectory';
import type { PromptContext, PromptTemplates } from './dialect';
import { getDialect } from './index';
import { messageTexts } from './templates';

const QUESTION = '{question}';

/** The context the header's opening was recorded in (the image as a placeholder, as when recorded). */
export function recordedPromptContext(header: TrajectoryHeader): PromptContext {
  return {
    question: header.question,
    boxFormat: header.model.boxFormat,
    sent: { width: header.image.sent.width, height: header.image.sent.height },
    maxTurns: header.agent.maxTurns,
    imageUrl: '',
  };
}

export interface RecordedTemplates {
  /** Empty when the run used the dialect's own wording (or recorded none). */
  templates: PromptTemplates;
  /** Set when the recorded texts cannot all be said again (the dialect's own wording stands in for those). */
  problem?: string;
}

export function recordedTemplates(header: TrajectoryHeader): RecordedTemplates {
  const record = header.prompts;
  if (!record || record.source === 'built-in') return { templates: {} };
  const question = header.question;
  // Filling in replaced every {question}; putting it back everywhere the question stands gives the same text once filled again.
  const unfill = (text: string) => (question ? text.split(question).join(QUESTION) : text);
  const own = getDialect(header.model.dialect);
  const ctx = recordedPromptContext(header);
  const ownTexts = own.promptTexts(question);
  const templates: PromptTemplates = {};
  if (record.afterImageSearch !== ownTexts.afterImageSearch) templates['after-image-search'] = unfill(record.afterImageSearch);
  if (record.afterTextSearch !== ownTexts.afterTextSearch) templates['after-text-search'] = unfill(record.afterTextSearch);
  if (record.forceAnswer !== ownTexts.forceAnswer) templates['force-answer'] = unfill(record.forceAnswer);
  const sameOpening = (a: readonly { role: string; text: string }[]) =>
    a.length === record.opening.length && a.every((m, i) => m.role === record.opening[i]!.role && m.text === record.opening[i]!.text);
  // A template makes the opening one user turn; an opening of another shape came from the dialect's own wording.
  if (!sameOpening(messageTexts(own.initialMessages(ctx))) && record.opening.length === 1 && record.opening[0]!.role === 'user')
    templates.first = unfill(record.opening[0]!.text);

  const again = getDialect(header.model.dialect, templates);
  const texts = again.promptTexts(question);
  const differs = [
    ...(sameOpening(messageTexts(again.initialMessages(ctx))) ? [] : ['the opening']),
    ...(texts.afterImageSearch === record.afterImageSearch ? [] : ['the instruction after an image search']),
    ...(texts.afterTextSearch === record.afterTextSearch ? [] : ['the instruction after a text search']),
    ...(texts.forceAnswer === record.forceAnswer ? [] : ['the last-turn instruction']),
  ];
  return differs.length
    ? {
        templates,
        problem: `the run's recorded prompts (${record.source}) cannot all be said again: ${differs.join(', ')} use the ${header.model.dialect} dialect's own wording`,
      }
    : { templates };
}
