import { randomUUID } from 'node:crypto';

import type { Clock } from '../../core/clock';
import { KeyedQueue } from '../../core/keyed-queue';
import { fromTypedData, type InvocationHost, invokeRegisteredFunction } from '../functions-core/invoke';
import type { FunctionRegistry } from '../functions-core/registry';
import { EpisodeBuilder, serializeInput } from './episode';
import { assertValidInstanceId, toFailureDetails } from './failure';
import {
  actionSignature,
  ActionType,
  EventType,
  type HistoryEvent,
  isTerminal,
  type OrchestratorState,
  RuntimeStatus,
  type SdkAction,
} from './history';
import type { InboxMessage, InstanceMeta, PendingActivity, PendingTimer, TaskHubStore } from './store';

export interface DurableEngineOptions {
  readonly registry: FunctionRegistry;
  readonly store: TaskHubStore;
  readonly clock: Clock;
  readonly host: InvocationHost;
}

export class InstanceExistsError extends Error {
  constructor(readonly instanceId: string) {
    super(`An orchestration instance with id "${instanceId}" is already pending or running.`);
    this.name = 'InstanceExistsError';
  }
}

const OUT_OF_PROC_DATA = '$OutOfProcData$:';
/** Replay schema V1: flat action lists and plain timers, the simplest contract the SDK speaks. */
const REPLAY_SCHEMA = 0;

/**
 * The local task hub: it keeps orchestration history in Table Storage and drives the app's own
 * orchestrator functions by replaying that history through the durable-functions SDK, as the
 * Durable extension does in Azure. Activities run at least once; timers fire by the injected clock.
 */
export class DurableEngine {
  readonly #registry: FunctionRegistry;
  readonly #store: TaskHubStore;
  readonly #clock: Clock;
  readonly #host: InvocationHost;
  readonly #runnable = new Set<string>();
  #activities: PendingActivity[] = [];
  #timers: PendingTimer[] = [];
  readonly #instances = new KeyedQueue();
  readonly #listeners = new Set<() => void>();

  constructor(options: DurableEngineOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#host = options.host;
  }

  /** Rebuilds the in-memory work lists from storage, as after a process start. */
  async recover(): Promise<void> {
    const [activities, timers, withInbox] = await Promise.all([
      this.#store.listPendingActivities(),
      this.#store.listPendingTimers(),
      this.#store.listInstancesWithInbox(),
    ]);
    this.#activities = activities.sort((a, b) => a.taskId - b.taskId);
    this.#timers = timers.sort((a, b) => a.fireAt.localeCompare(b.fireAt));
    this.#runnable.clear();
    for (const id of withInbox) this.#runnable.add(id);
    this.#notify();
  }

  /** Called whenever new work may be runnable (the host's loop waits on it). */
  onWork(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async startNew(name: string, instanceId: string | undefined, input: unknown): Promise<string> {
    const fn = this.#registry.get(name);
    if (fn.trigger.type.toLowerCase() !== 'orchestrationtrigger') {
      throw new Error(`Function "${name}" is not an orchestrator.`);
    }
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    assertValidInstanceId(id);
    const now = this.#clock.now().toISOString();
    const inputJson = input === undefined ? undefined : JSON.stringify(input);
    const meta: InstanceMeta = {
      instanceId: id,
      name,
      executionId: randomUUID(),
      status: RuntimeStatus.Pending,
      ...(inputJson !== undefined && { input: inputJson }),
      createdTime: now,
      lastUpdatedTime: now,
      historyLength: 0,
      nextSequence: 0,
      actionSignatures: [],
    };
    const outcome = await this.#instances.run(id, () =>
      this.#store.createInstance(meta, {
        kind: 'started',
        name,
        ...(inputJson !== undefined && { input: inputJson }),
      }),
    );
    if (outcome === 'exists') throw new InstanceExistsError(id);
    this.#runnable.add(id);
    this.#notify();
    return id;
  }

  /** Delivers an external event. Returns false when the instance is unknown or finished. */
  async raiseEvent(
    instanceId: string,
    name: string,
    data: unknown,
  ): Promise<'accepted' | 'not-found' | 'gone'> {
    return this.#sendToInstance(instanceId, {
      kind: 'eventRaised',
      name,
      ...(data !== undefined && { input: JSON.stringify(data) }),
    });
  }

  async terminate(instanceId: string, reason: string): Promise<'accepted' | 'not-found' | 'gone'> {
    return this.#sendToInstance(instanceId, { kind: 'terminate', reason });
  }

  getMeta(instanceId: string): Promise<InstanceMeta | undefined> {
    return this.#store.getMeta(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[] | undefined> {
    return (await this.#store.loadInstance(instanceId))?.history;
  }

  listMeta(): Promise<InstanceMeta[]> {
    return this.#store.listMeta();
  }

  purge(instanceId: string): Promise<boolean> {
    return this.#instances.run(instanceId, () => this.#store.purge(instanceId));
  }

  /** When the next timer is due, if any is pending. */
  nextTimerAt(): Date | undefined {
    const next = this.#timers[0];
    return next ? new Date(next.fireAt) : undefined;
  }

  /**
   * Does one unit of work: fires the timers that are due, else runs one orchestrator episode,
   * else runs one activity. Returns false when nothing was runnable.
   */
  async runNext(): Promise<boolean> {
    if (await this.#fireDueTimers()) return true;
    const instanceId = this.#runnable.values().next().value;
    if (instanceId !== undefined) {
      this.#runnable.delete(instanceId);
      await this.#instances.run(instanceId, () => this.#runEpisode(instanceId));
      return true;
    }
    const activity = this.#activities.shift();
    if (activity) {
      await this.#runActivity(activity);
      return true;
    }
    return false;
  }

  /** Runs until no work is runnable now; future timers are left for the clock to reach. */
  async drain(maxSteps = 10_000): Promise<number> {
    let steps = 0;
    while (await this.runNext()) {
      if (++steps >= maxSteps) throw new Error(`The task hub did not settle within ${maxSteps} steps.`);
    }
    return steps;
  }

  async #sendToInstance(
    instanceId: string,
    message: InboxMessage,
  ): Promise<'accepted' | 'not-found' | 'gone'> {
    const result = await this.#instances.run(instanceId, async () => {
      const meta = await this.#store.getMeta(instanceId);
      if (!meta) return 'not-found' as const;
      if (isTerminal(meta.status)) return 'gone' as const;
      await this.#store.appendInbox(instanceId, meta.executionId, message);
      return 'accepted' as const;
    });
    if (result === 'accepted') {
      this.#runnable.add(instanceId);
      this.#notify();
    }
    return result;
  }

  async #fireDueTimers(): Promise<boolean> {
    const now = this.#clock.now().getTime();
    let fired = false;
    while (this.#timers[0] && new Date(this.#timers[0].fireAt).getTime() <= now) {
      const timer = this.#timers[0];
      await this.#store.fireTimer(timer, {
        kind: 'timerFired',
        timerId: timer.timerId,
        fireAt: timer.fireAt,
        ...(timer.retry && { retry: timer.retry }),
      });
      this.#timers.shift();
      this.#runnable.add(timer.instanceId);
      fired = true;
    }
    return fired;
  }

  async #runEpisode(instanceId: string): Promise<void> {
    const loaded = await this.#store.loadInstance(instanceId);
    if (!loaded) return;
    const { meta, etag, history, inbox } = loaded;
    const consumed = inbox.map((m) => m.id);
    const messages = inbox.filter((m) => m.executionId === meta.executionId).map((m) => m.message);
    if (inbox.length === 0) return;

    const now = this.#clock.now();
    const episode = new EpisodeBuilder(meta, now);
    if (isTerminal(meta.status)) {
      // Late messages for a finished instance (an activity that ran after termination) are dropped.
      await this.#store.commitEpisode(instanceId, etag, episode.commit(meta, history.length, consumed));
      return;
    }

    const terminate = messages.find((m) => m.kind === 'terminate');
    if (terminate) {
      episode.add({ EventType: EventType.ExecutionTerminated, Input: JSON.stringify(terminate.reason) });
      await this.#finish(meta, etag, history.length, consumed, episode, {
        status: RuntimeStatus.Terminated,
        output: JSON.stringify(terminate.reason),
      });
      return;
    }

    episode.add({ EventType: EventType.OrchestratorStarted });
    for (const message of messages) episode.apply(message);

    const replayed = history.map((e) => ({ ...e, IsPlayed: true }));
    const outcome = await this.#replay(meta, [...replayed, ...episode.events]);
    episode.add({ EventType: EventType.OrchestratorCompleted });

    if (outcome.kind === 'failed') {
      await this.#finish(meta, etag, history.length, consumed, episode, {
        status: RuntimeStatus.Failed,
        output: JSON.stringify(outcome.message),
        customStatus: outcome.customStatus,
      });
      return;
    }

    const state = outcome.state;
    const actions = state.actions.flat();
    const signatures = actions.map(actionSignature);
    const drift = meta.actionSignatures.findIndex((sig, i) => signatures[i] !== sig);
    if (drift >= 0 || signatures.length < meta.actionSignatures.length) {
      await this.#finish(meta, etag, history.length, consumed, episode, {
        status: RuntimeStatus.Failed,
        output: JSON.stringify(
          `Non-deterministic orchestrator: action ${drift >= 0 ? drift : signatures.length} differs from the recorded history.`,
        ),
      });
      return;
    }

    let continueAsNew: SdkAction | undefined;
    for (const action of actions.slice(meta.actionSignatures.length)) {
      const unsupported = episode.schedule(action);
      if (unsupported) {
        await this.#finish(meta, etag, history.length, consumed, episode, {
          status: RuntimeStatus.Failed,
          output: JSON.stringify(`The local host does not support ${unsupported}.`),
        });
        return;
      }
      if (action.actionType === ActionType.ContinueAsNew) continueAsNew = action;
    }

    const customStatus = state.customStatus === undefined ? undefined : JSON.stringify(state.customStatus);
    if (continueAsNew) {
      const input = serializeInput(continueAsNew.input);
      const executionId = randomUUID();
      const next: InstanceMeta = {
        ...meta,
        executionId,
        status: RuntimeStatus.Running,
        input,
        output: undefined,
        customStatus,
        lastUpdatedTime: now.toISOString(),
        historyLength: 0,
        nextSequence: 0,
        actionSignatures: [],
      };
      const pending = await this.#pendingWork(meta);
      await this.#store.commitEpisode(meta.instanceId, etag, {
        meta: next,
        history: [],
        firstIndex: 0,
        consumedInbox: consumed,
        newActivities: [],
        newTimers: [],
        dropActivities: pending.activities,
        dropTimers: pending.timers,
        newInbox: [
          {
            executionId,
            message: { kind: 'started', name: meta.name, ...(input !== undefined && { input }) },
          },
        ],
      });
      this.#forget(meta.instanceId);
      this.#runnable.add(meta.instanceId);
      return;
    }

    const done = state.isDone;
    const nextMeta: InstanceMeta = {
      ...meta,
      status: done ? RuntimeStatus.Completed : RuntimeStatus.Running,
      ...(done && { output: JSON.stringify(state.output ?? null) }),
      customStatus,
      lastUpdatedTime: now.toISOString(),
      historyLength: history.length + episode.events.length,
      nextSequence: episode.sequence,
      actionSignatures: signatures,
    };
    const pending = done ? await this.#pendingWork(meta) : { activities: [], timers: [] };
    await this.#store.commitEpisode(meta.instanceId, etag, {
      meta: nextMeta,
      history: episode.events,
      firstIndex: history.length,
      consumedInbox: consumed,
      newActivities: done ? [] : episode.activities,
      newTimers: done ? [] : episode.timers,
      dropActivities: pending.activities,
      dropTimers: pending.timers,
      newInbox: [],
    });
    if (done) {
      this.#forget(meta.instanceId);
    } else {
      this.#activities.push(...episode.activities);
      this.#timers.push(...episode.timers);
      this.#timers.sort((a, b) => a.fireAt.localeCompare(b.fireAt));
    }
    this.#notify();
  }

  async #finish(
    meta: InstanceMeta,
    etag: string,
    historyLength: number,
    consumed: string[],
    episode: EpisodeBuilder,
    end: { status: InstanceMeta['status']; output: string; customStatus?: string | undefined },
  ): Promise<void> {
    const pending = await this.#pendingWork(meta);
    await this.#store.commitEpisode(meta.instanceId, etag, {
      meta: {
        ...meta,
        status: end.status,
        output: end.output,
        ...(end.customStatus !== undefined && { customStatus: end.customStatus }),
        lastUpdatedTime: this.#clock.now().toISOString(),
        historyLength: historyLength + episode.events.length,
        nextSequence: episode.sequence,
      },
      history: episode.events,
      firstIndex: historyLength,
      consumedInbox: consumed,
      newActivities: [],
      newTimers: [],
      dropActivities: pending.activities,
      dropTimers: pending.timers,
      newInbox: [],
    });
    this.#forget(meta.instanceId);
  }

  async #pendingWork(meta: InstanceMeta): Promise<{ activities: number[]; timers: number[] }> {
    const [activities, timers] = await Promise.all([
      this.#store.listPendingActivities(meta.instanceId),
      this.#store.listPendingTimers(meta.instanceId),
    ]);
    return { activities: activities.map((a) => a.taskId), timers: timers.map((t) => t.timerId) };
  }

  #forget(instanceId: string): void {
    this.#activities = this.#activities.filter((a) => a.instanceId !== instanceId);
    this.#timers = this.#timers.filter((t) => t.instanceId !== instanceId);
  }

  async #replay(
    meta: InstanceMeta,
    history: HistoryEvent[],
  ): Promise<
    { kind: 'ok'; state: OrchestratorState } | { kind: 'failed'; message: string; customStatus?: string }
  > {
    const payload = {
      history,
      input: meta.input === undefined ? undefined : (JSON.parse(meta.input) as unknown),
      instanceId: meta.instanceId,
      isReplaying: false,
      parentInstanceId: '',
      upperSchemaVersion: REPLAY_SCHEMA,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    try {
      const result = await invokeRegisteredFunction(
        this.#registry,
        meta.name,
        { string: JSON.stringify(payload) },
        this.#host,
      );
      return { kind: 'ok', state: fromTypedData(result.returnValue) as OrchestratorState };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const marker = message.indexOf(OUT_OF_PROC_DATA);
      if (marker < 0) return { kind: 'failed', message };
      const state = JSON.parse(message.slice(marker + OUT_OF_PROC_DATA.length)) as OrchestratorState;
      return {
        kind: 'failed',
        // The SDK carries the orchestrator's own error in the state; the text before the marker
        // is not always a message (durable-functions 3.x puts a flag there).
        message: state.error ?? message.slice(0, marker).trim(),
        ...(state.customStatus !== undefined && { customStatus: JSON.stringify(state.customStatus) }),
      };
    }
  }

  async #runActivity(activity: PendingActivity): Promise<void> {
    const meta = await this.#store.getMeta(activity.instanceId);
    if (!meta || isTerminal(meta.status) || meta.executionId !== activity.executionId) return;
    let message: InboxMessage;
    try {
      const result = await invokeRegisteredFunction(
        this.#registry,
        activity.name,
        activity.input === undefined ? undefined : { json: activity.input },
        this.#host,
      );
      message = {
        kind: 'taskCompleted',
        taskId: activity.taskId,
        result: JSON.stringify(fromTypedData(result.returnValue) ?? null),
        ...(activity.retry && { retry: activity.retry }),
      };
    } catch (error) {
      message = {
        kind: 'taskFailed',
        taskId: activity.taskId,
        failure: toFailureDetails(error),
        ...(activity.retry && { retry: activity.retry }),
      };
    }
    await this.#store.completeActivity(activity, message);
    this.#runnable.add(activity.instanceId);
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
