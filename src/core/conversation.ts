// The conversation of a corrected trajectory, rebuilt in a dialect the way the agent built
// it while running: the opening messages, then for each kept step the model's turn and the
// messages that answered it (evidence, a tool error, a parse error). A re-run continues
// from it; an export writes it out as a training sample. Pure: an image of the run folder
// appears as an `asset:` URL naming its path there, and the caller decides what it becomes
// (a data URL for the model, a file for a trainer).
import type { Action } from './actions';
import type { CorrectedTrajectory } from './annotations';
import type { ChatMessage, ContentPart, ModelOutput, ToolSpec } from './chat';
import type { Dialect, EvidenceItem, ObservationContext, PromptContext } from './dialects/dialect';
import { describeSearched } from './dialects/information';
import { renderTurnChecked } from './dialects/render';
import { withInstruction } from './lastTurn';
import { recordedRules } from './runRules';
import type { ActionEvent, ActionRecord, ModelTurnEvent, ObservationEvent, ReflectionEvent, TrajectoryHeader } from './trajectory';

/** One step of the corrected trajectory: what the model wrote, what was done, what came back. */
export interface StepRecord {
  step: number;
  turn?: ModelTurnEvent;
  /** The step's reasoning blocks in order, corrected and inserted ones included. */
  reasoning: ReflectionEvent[];
  action?: ActionEvent;
  observation?: ObservationEvent;
  /** An annotation changed one of its events, or inserted a reflection into it. */
  edited: boolean;
}

/** The kept (not dropped) steps of a corrected trajectory, in order. */
export function stepsOf(corrected: CorrectedTrajectory): StepRecord[] {
  const steps = new Map<number, StepRecord>();
  for (const e of corrected.events) {
    if (e.step < 1 || corrected.dropped.has(e.step)) continue;
    let s = steps.get(e.step);
    if (!s) steps.set(e.step, (s = { step: e.step, reasoning: [], edited: false }));
    if (e.id !== undefined && corrected.changed.has(e.id)) s.edited = true;
    switch (e.type) {
      case 'model_turn':
        s.turn ??= e;
        break;
      case 'reflection':
        s.reasoning.push(e);
        break;
      case 'action':
        s.action ??= e;
        break;
      case 'observation':
        s.observation ??= e;
        break;
      case 'notice':
      case 'final':
      case 'annotation':
        break;
    }
  }
  return [...steps.values()].sort((a, b) => a.step - b.step);
}

/** How an image of the run folder appears in a rebuilt message, before the caller resolves it. */
export const ASSET_URL = 'asset:';
export const assetUrl = (rel: string): string => `${ASSET_URL}${rel}`;

/** The image the model was sent, as a path in the run folder (older records name only the image). */
export function sentImagePath(header: TrajectoryHeader): string {
  return header.image.sent.path ?? header.image.path;
}

/** What a message is in the run: the task, the model's turn, evidence, or a turn the model is told failed. */
export type MessageKind = 'prompt' | 'model' | 'evidence' | 'error';

export interface ConversationMessage {
  kind: MessageKind;
  /** 0 for the opening messages. */
  step: number;
  message: ChatMessage;
}

export interface Conversation {
  messages: ConversationMessage[];
  tools?: ToolSpec[];
  prompt: PromptContext;
}

export interface RebuildOptions {
  /** The dialect to write the conversation in (the run's, or another for an export). */
  dialect: Dialect;
  /**
   * Reasoning the server sent apart from the text (`reasoning_content`) written into the turn,
   * as the model generated it (training data); the agent itself does not echo it (re-runs).
   */
  inlineReasoning: boolean;
  /** Stop before this step (a re-run carries it out itself). */
  before?: number;
}

export type Rebuilt<T> = { ok: true; value: T } | { ok: false; error: string };

/** The action of a record, as a dialect writes it; undefined for a turn that could not be read. */
export function actionOf(record: ActionRecord): Action | undefined {
  switch (record.kind) {
    case 'answer':
      return { kind: 'answer', text: record.text };
    case 'text_search':
      return { kind: 'text_search', query: record.query };
    case 'image_search':
      if (record.scope === 'full') return { kind: 'image_search', scope: 'full' };
      return record.box ? { kind: 'image_search', scope: 'region', numbers: [...record.box.model] } : undefined;
    case 'parse_error':
      return undefined;
  }
}

/**
 * The model's turn of a step in `dialect`: its raw text when it is unedited and in the run's
 * dialect, otherwise its (corrected) reasoning and action written anew.
 */
export function turnOutput(header: TrajectoryHeader, s: StepRecord, dialect: Dialect, inlineReasoning: boolean): Rebuilt<ModelOutput> {
  const turn = s.turn;
  if (!turn) return { ok: false, error: `step ${s.step} has no model turn recorded` };
  const sameDialect = dialect.id === header.model.dialect;
  const serverReasoning = inlineReasoning && !!turn.reasoning?.trim();
  if (sameDialect && !s.edited && !serverReasoning) {
    return { ok: true, value: { text: turn.raw, ...(turn.toolCalls?.length ? { toolCalls: turn.toolCalls } : {}) } };
  }
  const action = s.action ? actionOf(s.action.action) : undefined;
  if (!action) {
    // A turn that could not be read has no action to write anew: it is kept as recorded, or not at all.
    if (sameDialect && !s.edited) return { ok: true, value: { text: turn.raw, ...(turn.toolCalls?.length ? { toolCalls: turn.toolCalls } : {}) } };
    return { ok: false, error: `step ${s.step} could not be read when it ran, so it cannot be written anew; drop it or leave it as recorded` };
  }
  const callId = turn.toolCalls?.[0]?.id;
  const rendered = renderTurnChecked(dialect, {
    reasoning: s.reasoning.map((r) => ({ kind: r.kind, text: r.text })),
    action,
    ...(callId ? { callId } : {}),
  });
  return 'error' in rendered ? { ok: false, error: `step ${s.step}: ${rendered.error}` } : { ok: true, value: rendered };
}

/** What the model was told about a search, from the record of it. */
export function observationContext(
  header: TrajectoryHeader,
  action: ActionRecord,
  obs: ObservationEvent,
  callIds: string[] | undefined,
  imageUrl: (rel: string) => string = assetUrl,
): ObservationContext {
  const searched =
    action.kind === 'text_search'
      ? describeSearched('text_search', { query: action.query })
      : describeSearched('image_search', action.kind === 'image_search' && action.box ? { box: action.box.model } : {});
  const withImages = (header.model.evidenceImages ?? true) && (obs.tool === 'image_search' || recordedRules(header).textSearchImages);
  const items: EvidenceItem[] = obs.results.map((r) => ({
    rank: r.rank,
    title: r.title,
    url: r.url,
    // A page summary, when there is one, is what the model read instead of the snippet.
    snippet: r.summary ?? r.snippet,
    ...(withImages && r.thumbnail ? { imageUrl: imageUrl(r.thumbnail) } : {}),
  }));
  return {
    question: header.question,
    tool: obs.tool,
    searched,
    items,
    ...(obs.error !== undefined ? { error: obs.error } : {}),
    ...(callIds ? { callIds } : {}),
  };
}

/** The messages that answered a step's turn: evidence, a tool error, a parse error; none for an answer. */
function answerMessages(header: TrajectoryHeader, s: StepRecord, dialect: Dialect, output: ModelOutput): Rebuilt<ConversationMessage[]> {
  const action = s.action?.action;
  if (!action) return { ok: false, error: `step ${s.step} has no action recorded` };
  const callIds = dialect.parse(output).callIds;
  const tag = (kind: MessageKind) => (message: ChatMessage) => ({ kind, step: s.step, message });
  switch (action.kind) {
    case 'answer':
      return { ok: true, value: [] };
    case 'parse_error':
      return { ok: true, value: dialect.errorMessages(action.message, header.question, callIds).map(tag('error')) };
    case 'text_search':
    case 'image_search':
      if (!s.observation) return { ok: false, error: `step ${s.step} searched, but what came back was not recorded` };
      return { ok: true, value: dialect.observationMessages(observationContext(header, action, s.observation, callIds)).map(tag('evidence')) };
  }
}

/** The step whose request carried the instruction to answer (the last turn's), or undefined when no request did. */
export function forcedStep(header: TrajectoryHeader): number | undefined {
  return recordedRules(header).lastTurn === 'force' ? header.agent.maxTurns : undefined;
}

/** The last message (or a new one after a tool reply) with the dialect's instruction to answer added, as the agent sent it. */
function forceAnswerInto(messages: ConversationMessage[], dialect: Dialect, header: TrajectoryHeader, step: number): void {
  const sent = withInstruction(
    messages.map((m) => m.message),
    dialect.forceAnswer(header.question).text,
  );
  const message = sent.at(-1)!;
  if (sent.length === messages.length) messages[messages.length - 1] = { ...messages.at(-1)!, message };
  else messages.push({ kind: 'prompt', step, message });
}

/**
 * The conversation of the kept steps (before `options.before`, if given), in `options.dialect`:
 * the messages each request held, the last turn's instruction to answer included where the
 * run added it.
 */
export function rebuildConversation(header: TrajectoryHeader, steps: readonly StepRecord[], options: RebuildOptions): Rebuilt<Conversation> {
  const { dialect } = options;
  const prompt: PromptContext = {
    question: header.question,
    boxFormat: header.model.boxFormat,
    sent: { width: header.image.sent.width, height: header.image.sent.height },
    maxTurns: header.agent.maxTurns,
    imageUrl: assetUrl(sentImagePath(header)),
  };
  const messages: ConversationMessage[] = dialect.initialMessages(prompt).map((message) => ({ kind: 'prompt', step: 0, message }));
  const forced = forcedStep(header);
  for (const s of steps) {
    if (options.before !== undefined && s.step >= options.before) break;
    if (s.step === forced) forceAnswerInto(messages, dialect, header, s.step);
    const output = turnOutput(header, s, dialect, options.inlineReasoning);
    if (!output.ok) return output;
    messages.push({ kind: 'model', step: s.step, message: dialect.assistantMessage(output.value) });
    const answers = answerMessages(header, s, dialect, output.value);
    if (!answers.ok) return answers;
    messages.push(...answers.value);
  }
  const tools = dialect.tools?.(prompt);
  return { ok: true, value: { messages, ...(tools ? { tools } : {}), prompt } };
}

/** Every image part's URL replaced (an `asset:` path by a data URL or a file), in order of appearance. */
export function mapImages(message: ChatMessage, map: (url: string) => string): ChatMessage {
  if (message.role !== 'user' || typeof message.content === 'string') return message;
  const content: ContentPart[] = message.content.map((p) => (p.type === 'image_url' ? { type: 'image_url', image_url: { url: map(p.image_url.url) } } : p));
  return { ...message, content };
}

/** The images of messages in order of appearance (repeats included: each part is one image). */
export function imagesOf(messages: readonly ChatMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages)
    if (m.role === 'user' && typeof m.content !== 'string') for (const p of m.content) if (p.type === 'image_url') out.push(p.image_url.url);
  return out;
}
