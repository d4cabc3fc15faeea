// The Glance-or-Gaze loop (docs/ARCHITECTURE.md, "The agent loop"): ask the model, parse
// its turn, act (answer, text search, glance = search the whole image, gaze = crop a box
// and search the crop), tell it what came back, repeat within a turn budget and the run's
// rules (runRules.ts: search limits, the last turn, unreadable turns). Every step is written
// to the record before subscribers hear of it, so what they see is on disk.
import type { Action, ParsedTurn } from './actions';
import type { ChatMessage, ModelOutput, ToolSpec } from './chat';
import type { Dialect, EvidenceItem, ObservationContext } from './dialects/dialect';
import { describeSearched } from './dialects/information';
import { EventStream } from './eventStream';
import { resolveBox, type BoxFormat, type ResolvedBox } from './geometry';
import { withInstruction } from './lastTurn';
import {
  dataUrl,
  isRetryable,
  partialReply,
  type AgentImage,
  type ModelReply,
  type ImageSearch,
  type ModelPort,
  type ModelRequest,
  type Recorder,
  type SearchOutcome,
  type TextSearch,
} from './ports';
import { DEFAULT_RULES, searchesText, type RunRules, type SearchKind } from './runRules';
import { scoreAnswer } from './scoring';
import type { ActionRecord, FinalEvent, NewEvent, ResultRecord, StopReason, TrajectoryEvent } from './trajectory';

export const DEFAULT_MAX_TURNS = 8;
export const DEFAULT_TOP_K = 5;

export interface AgentConfig {
  question: string;
  gold?: string[];
  dialect: Dialect;
  boxFormat: BoxFormat;
  maxTurns: number;
  /** Results kept per search. */
  topK: number;
  /** Send result thumbnails to the model as images (vLLM counts them against --limit-mm-per-prompt). */
  evidenceImages: boolean;
  /** Search limits, the last turn, unreadable turns; default: our loop's own (DEFAULT_RULES). */
  rules?: RunRules;
}

export interface AgentDeps {
  model: ModelPort;
  image: AgentImage;
  imageSearch: ImageSearch;
  textSearch: TextSearch;
  recorder: Recorder;
}

export type AgentEvent =
  | { kind: 'record'; event: TrajectoryEvent }
  /** Model text as it streams in (not recorded; the model_turn event holds the whole). */
  | { kind: 'delta'; step: number; text: string }
  /** What the agent is doing now, for progress displays. */
  | { kind: 'status'; step: number; message: string };

/**
 * A run that continues another from a step (a re-run from a corrected step): the
 * conversation before that step, rebuilt from the record, and the turn to carry out there.
 */
export interface AgentResume {
  /** The messages the model had been sent and had written before `step`. */
  messages: ChatMessage[];
  /** The first step this run carries out. */
  step: number;
  /** The turn at `step`, carried out as if the model had written it; absent: the model is asked. */
  turn?: ModelOutput;
  /** Searches of each kind in the conversation before `step`: they count against the run's limits. */
  searches?: Partial<Record<SearchKind, number>>;
}

export interface AgentResult {
  answer: string | null;
  stopReason: StopReason;
  turns: number;
  error?: string;
  /** The error was the model endpoint's (isRetryable), not this query's: running it again may succeed. */
  retryable?: true;
  score?: { exactMatch: number; f1: number };
}

export function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError'));
}

/** The first line of an error's message: what the user and the model are shown. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'unknown error';
}

/** How a step ended the run: an answer, or a rule that stops it there (with what the record says of it). */
type StepEnd = { kind: 'answered'; answer: string } | { kind: 'stopped'; reason: Extract<StopReason, 'max_turns' | 'search_limit' | 'parse_error'> };

export class AgentRun {
  readonly events = new EventStream<AgentEvent>();
  private started = false;
  private readonly rules: RunRules;
  /** Searches made so far, by kind (those before a resumed step included). */
  private readonly searches: Record<SearchKind, number>;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
    private readonly resume?: AgentResume,
  ) {
    this.rules = config.rules ?? DEFAULT_RULES;
    this.searches = { image_search: resume?.searches?.image_search ?? 0, text_search: resume?.searches?.text_search ?? 0 };
  }

  /** Runs to the end: answered, out of turns, cancelled by `signal`, or failed. Never throws for those. */
  async run(signal: AbortSignal): Promise<AgentResult> {
    if (this.started) throw new Error('an AgentRun runs once');
    this.started = true;
    const started = Date.now();
    const { config, deps } = this;
    const { dialect } = config;
    const prompt = {
      question: config.question,
      boxFormat: config.boxFormat,
      sent: { width: deps.image.sent.width, height: deps.image.sent.height },
      maxTurns: config.maxTurns,
      imageUrl: dataUrl(deps.image.sent),
    };
    const { resume } = this;
    const messages = resume ? [...resume.messages] : dialect.initialMessages(prompt);
    const tools = dialect.tools?.(prompt);

    let answer: string | null = null;
    let stopReason: StopReason = 'max_turns';
    let error: string | undefined;
    let retryable = false;
    let turns = 0;
    try {
      for (let step = resume?.step ?? 1; step <= config.maxTurns; step++) {
        signal.throwIfAborted();
        turns = step;
        let reply: ModelReply;
        if (resume?.turn && step === resume.step) {
          // The corrected turn stands in for the model's: recorded as the turn, and said so.
          reply = { ...resume.turn, finishReason: resume.turn.toolCalls?.length ? 'tool_calls' : 'stop' };
          await this.recordTurn(step, reply, 0);
          await this.record({
            type: 'notice',
            step,
            message: `turn ${step} is the corrected turn of the run this one continues; the model was not asked for it`,
          });
        } else {
          reply = await this.ask(step, messages, tools, signal);
        }
        const end = await this.carryOut(step, reply, messages, signal);
        if (end?.kind === 'answered') {
          answer = end.answer;
          stopReason = 'answered';
          break;
        }
        if (end?.kind === 'stopped') {
          stopReason = end.reason;
          break;
        }
      }
    } catch (e) {
      if (isAbort(e, signal)) stopReason = 'cancelled';
      else {
        stopReason = 'error';
        error = oneLine(e);
        retryable = isRetryable(e);
      }
    }

    const final: NewEvent & { type: 'final' } = {
      type: 'final',
      step: turns,
      answer,
      stopReason,
      ...(error ? { error } : {}),
      ...(answer !== null && config.gold?.length ? { score: scoreAnswer(answer, config.gold) } : {}),
      turns,
      ms: Date.now() - started,
    };
    try {
      await this.record(final);
    } catch (e) {
      // The record could not be finished (disk full, folder removed): say so in the result.
      error = `${error ? `${error}; ` : ''}the final event could not be written: ${oneLine(e)}`;
      stopReason = stopReason === 'answered' ? stopReason : 'error';
    }
    const result: AgentResult = { answer, stopReason, turns };
    if (error) result.error = error;
    if (retryable && stopReason === 'error') result.retryable = true;
    if ((final as FinalEvent).score) result.score = (final as FinalEvent).score!;
    return result;
  }

  /** Asks the model for the turn of `step` (the last one told to answer) and records it. */
  private async ask(step: number, messages: ChatMessage[], tools: ToolSpec[] | undefined, signal: AbortSignal): Promise<ModelReply> {
    const { config, deps } = this;
    const request: ModelRequest = { messages, ...(tools ? { tools } : {}) };
    if (step === config.maxTurns && this.rules.lastTurn === 'force') {
      const force = config.dialect.forceAnswer(config.question);
      request.messages = withInstruction(messages, force.text);
      if (force.toolChoice) request.toolChoice = force.toolChoice;
    }
    this.status(step, 'asking the model');
    const t0 = Date.now();
    let reply: ModelReply;
    try {
      reply = await deps.model.complete(request, {
        signal,
        onDelta: (text) => this.events.publish({ kind: 'delta', step, text }),
      });
    } catch (e) {
      // What arrived before the turn failed or was cancelled is recorded, never lost.
      const partial = partialReply(e);
      if (partial) await this.recordTurn(step, partial, Date.now() - t0);
      throw e;
    }
    await this.recordTurn(step, reply, Date.now() - t0);
    for (const message of reply.notices ?? []) await this.record({ type: 'notice', step, message });
    return reply;
  }

  /** Reads a turn, records its reasoning, echoes it into the conversation and acts on it. */
  private async carryOut(step: number, reply: ModelOutput, messages: ChatMessage[], signal: AbortSignal): Promise<StepEnd | undefined> {
    const parsed = this.config.dialect.parse(reply);
    for (const r of parsed.reasoning) await this.record({ type: 'reflection', step, kind: r.kind, text: r.text });
    messages.push(this.config.dialect.assistantMessage(reply));
    return this.act(step, parsed, messages, signal);
  }

  /**
   * Why a search asked for at `step` ends the run instead, by the rules: past its kind's limit,
   * or on a last turn that is not told to answer (no turn is left to read what it finds).
   */
  private searchRefused(step: number, kind: SearchKind): { reason: 'search_limit' | 'max_turns'; message: string } | undefined {
    const limit = this.rules.searchLimits[kind];
    if (limit !== undefined && this.searches[kind] >= limit)
      return {
        reason: 'search_limit',
        message: `turn ${step} asks for ${searchesText(kind)} past the run's limit of ${searchesText(kind, limit)}: the run ends here, with no answer, and the search is not made`,
      };
    if (this.rules.lastTurn === 'plain' && step === this.config.maxTurns)
      return {
        reason: 'max_turns',
        message: `turn ${step} is the last and asks for ${searchesText(kind)}: the run ends here, with no answer, and the search is not made`,
      };
    return undefined;
  }

  /** Carries out one parsed turn. Returns how the run ends when this turn ends it. */
  private async act(step: number, parsed: ParsedTurn, messages: ChatMessage[], signal: AbortSignal): Promise<StepEnd | undefined> {
    const { config, deps } = this;
    let action: Action | { kind: 'parse_error'; message: string } = parsed.action;
    let box: ResolvedBox | undefined;
    if (action.kind === 'image_search' && action.scope === 'region') {
      const resolved = resolveBox(action.numbers, config.boxFormat, deps.image.sent, deps.image.oriented);
      if (resolved.ok) box = resolved.box;
      else action = { kind: 'parse_error', message: resolved.message };
    }

    if (action.kind === 'text_search' || action.kind === 'image_search') {
      const refused = this.searchRefused(step, action.kind);
      if (refused) {
        // The action as asked (so a reviewer can correct it and re-run from here), with no observation: it was not made.
        const asked: ActionRecord =
          action.kind === 'text_search'
            ? { kind: 'text_search', query: action.query }
            : { kind: 'image_search', scope: action.scope, ...(box ? { box: { model: box.model, sent: box.sent, original: box.original } } : {}) };
        await this.record({ type: 'action', step, action: asked });
        await this.record({ type: 'notice', step, message: refused.message });
        return { kind: 'stopped', reason: refused.reason };
      }
      this.searches[action.kind]++;
    }

    switch (action.kind) {
      case 'parse_error':
        await this.record({ type: 'action', step, action: { kind: 'parse_error', message: action.message } });
        if (this.rules.unreadable === 'end') {
          await this.record({ type: 'notice', step, message: `turn ${step} could not be read as an action: the run ends here, with no answer` });
          return { kind: 'stopped', reason: 'parse_error' };
        }
        messages.push(...config.dialect.errorMessages(action.message, config.question, parsed.callIds));
        return undefined;
      case 'answer':
        await this.record({ type: 'action', step, action: { kind: 'answer', text: action.text } });
        return { kind: 'answered', answer: action.text };
      case 'text_search': {
        await this.record({ type: 'action', step, action: { kind: 'text_search', query: action.query } });
        this.status(step, `text search: ${action.query}`);
        const searched = describeSearched('text_search', { query: action.query });
        const outcome = await this.search(step, 'text_search', signal, () =>
          deps.textSearch.search(action.query, { signal, topK: config.topK, question: config.question }),
        );
        messages.push(...config.dialect.observationMessages(this.observationContext('text_search', searched, outcome, parsed.callIds)));
        return undefined;
      }
      case 'image_search': {
        let record: ActionRecord;
        let searched: string;
        let run: () => Promise<SearchOutcome>;
        if (box) {
          const region = box;
          searched = describeSearched('image_search', { box: region.model });
          // The crop is part of the action; a failed crop is a tool error the model hears about.
          let crop: Awaited<ReturnType<AgentImage['crop']>> | undefined;
          let cropError: unknown;
          this.status(step, `gaze: cropping [${region.model.join(', ')}]`);
          try {
            crop = await deps.image.crop(region.original, signal);
          } catch (e) {
            if (isAbort(e, signal)) throw e;
            cropError = e;
          }
          const cropPath = crop ? await deps.recorder.saveImage(`s${step}-crop.jpg`, crop) : undefined;
          record = {
            kind: 'image_search',
            scope: 'region',
            box: { model: region.model, sent: region.sent, original: region.original },
            ...(cropPath ? { crop: cropPath } : {}),
          };
          run = () => {
            if (!crop) throw cropError;
            return deps.imageSearch.search(crop, { signal, topK: config.topK, question: config.question });
          };
        } else {
          searched = describeSearched('image_search', {});
          record = { kind: 'image_search', scope: 'full' };
          run = () =>
            deps.imageSearch.search(deps.image.sent, {
              signal,
              topK: config.topK,
              question: config.question,
              ...(deps.image.url ? { imageUrl: deps.image.url } : {}),
            });
        }
        await this.record({ type: 'action', step, action: record });
        this.status(step, box ? 'gaze: searching the region' : 'glance: searching the whole image');
        const outcome = await this.search(step, 'image_search', signal, run);
        messages.push(...config.dialect.observationMessages(this.observationContext('image_search', searched, outcome, parsed.callIds)));
        return undefined;
      }
    }
  }

  /** Runs a search, records the observation (thumbnails saved as files), returns what the model is told. */
  private async search(
    step: number,
    tool: 'text_search' | 'image_search',
    signal: AbortSignal,
    run: () => Promise<SearchOutcome>,
  ): Promise<{ items: EvidenceItem[]; error?: string }> {
    const t0 = Date.now();
    let outcome: SearchOutcome | undefined;
    let error: string | undefined;
    try {
      outcome = await run();
    } catch (e) {
      if (isAbort(e, signal)) throw e;
      error = oneLine(e);
    }
    const results: ResultRecord[] = [];
    const items: EvidenceItem[] = [];
    for (const hit of outcome?.results ?? []) {
      // The record is the hit itself, its pixels and page text saved as files of the run.
      const { thumbnail, pageText, ...fields } = hit;
      const record: ResultRecord = { ...fields };
      const prefix = `s${step}-${tool === 'image_search' ? 'img' : 'txt'}-r${hit.rank}`;
      // A page summary, when there is one, is what the model reads instead of the snippet.
      const item: EvidenceItem = { rank: hit.rank, title: hit.title, url: hit.url, snippet: hit.summary ?? hit.snippet };
      if (thumbnail) {
        record.thumbnail = await this.deps.recorder.saveImage(`${prefix}.jpg`, thumbnail);
        if (this.config.evidenceImages && (tool === 'image_search' || this.rules.textSearchImages)) item.imageUrl = dataUrl(thumbnail);
      }
      if (pageText !== undefined) record.page = await this.deps.recorder.saveText(`${prefix}.txt`, pageText);
      results.push(record);
      items.push(item);
    }
    await this.record({
      type: 'observation',
      step,
      tool,
      results,
      ...(error ? { error } : {}),
      ...(outcome?.notes?.length ? { notes: outcome.notes } : {}),
      ...(outcome ? { cached: outcome.cached } : {}),
      ...(outcome?.searchedUrl ? { searchedUrl: outcome.searchedUrl } : {}),
      ms: Date.now() - t0,
    });
    return error ? { items, error } : { items };
  }

  private observationContext(
    tool: 'text_search' | 'image_search',
    searched: string,
    outcome: { items: EvidenceItem[]; error?: string },
    callIds: string[] | undefined,
  ): ObservationContext {
    return {
      question: this.config.question,
      tool,
      searched,
      items: outcome.items,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(callIds ? { callIds } : {}),
    };
  }

  private async recordTurn(step: number, reply: ModelReply, ms: number): Promise<void> {
    await this.record({
      type: 'model_turn',
      step,
      raw: reply.text,
      ...(reply.reasoning ? { reasoning: reply.reasoning } : {}),
      ...(reply.toolCalls?.length ? { toolCalls: reply.toolCalls } : {}),
      ...(reply.usage ? { usage: reply.usage } : {}),
      finishReason: reply.finishReason ?? null,
      ...(reply.cut ? { cut: reply.cut } : {}),
      ms,
    });
  }

  private async record(event: NewEvent): Promise<void> {
    const written = await this.deps.recorder.write(event);
    this.events.publish({ kind: 'record', event: written });
  }

  private status(step: number, message: string): void {
    this.events.publish({ kind: 'status', step, message });
  }
}
