import {
  ActionType,
  EventType,
  type HistoryEvent,
  type NewHistoryEvent,
  type RetryPolicy,
  type SdkAction,
} from './history';
import type {
  ActivityRetry,
  EpisodeCommit,
  InboxMessage,
  InstanceMeta,
  PendingActivity,
  PendingTimer,
} from './store';

/** Accumulates the history events, work items and task ids of one episode. */
export class EpisodeBuilder {
  readonly events: HistoryEvent[] = [];
  readonly activities: PendingActivity[] = [];
  readonly timers: PendingTimer[] = [];
  sequence: number;
  readonly #meta: InstanceMeta;
  readonly #now: Date;

  constructor(meta: InstanceMeta, now: Date) {
    this.#meta = meta;
    this.#now = now;
    this.sequence = meta.nextSequence;
  }

  add(event: NewHistoryEvent): void {
    this.events.push({ EventId: -1, ...event, IsPlayed: false, Timestamp: this.#now.toISOString() });
  }

  /** Turns an inbox message into history (and, for activity retries, into new work). */
  apply(message: InboxMessage): void {
    switch (message.kind) {
      case 'started':
        this.add({ EventType: EventType.ExecutionStarted, Name: message.name, Input: message.input });
        return;
      case 'taskCompleted':
        this.add({
          EventType: EventType.TaskCompleted,
          TaskScheduledId: message.taskId,
          Result: message.result,
        });
        return;
      case 'taskFailed':
        this.add({
          EventType: EventType.TaskFailed,
          TaskScheduledId: message.taskId,
          Reason: message.failure.ErrorMessage,
          Details: message.failure.StackTrace ?? '',
          FailureDetails: message.failure,
        });
        // The SDK waits on a retry timer after every failed attempt of a retried activity, the
        // last one included, and gives up when that timer fires with no attempts left.
        if (message.retry) this.#retryTimer(message.retry);
        return;
      case 'timerFired':
        this.add({ EventType: EventType.TimerFired, TimerId: message.timerId, FireAt: message.fireAt });
        if (message.retry?.retryNext) {
          const next = { ...message.retry, attempt: message.retry.attempt + 1 };
          this.#scheduleActivity(next.name, next.input, {
            policy: next.policy,
            attempt: next.attempt,
            name: next.name,
            ...(next.input !== undefined && { input: next.input }),
          });
        }
        return;
      case 'eventRaised':
        this.add({ EventType: EventType.EventRaised, Name: message.name, Input: message.input });
        return;
      case 'terminate':
        return;
    }
  }

  /** Records a new action of the orchestrator; returns a description when it is unsupported. */
  schedule(action: SdkAction): string | undefined {
    switch (action.actionType) {
      case ActionType.CallActivity:
        this.#scheduleActivity(action.functionName ?? '', serializeInput(action.input));
        return undefined;
      case ActionType.CallActivityWithRetry: {
        const input = serializeInput(action.input);
        const policy = action.retryOptions;
        if (!policy) return 'an activity retry without retry options';
        this.#scheduleActivity(action.functionName ?? '', input, {
          policy,
          attempt: 1,
          name: action.functionName ?? '',
          ...(input !== undefined && { input }),
        });
        return undefined;
      }
      case ActionType.CreateTimer: {
        const timerId = this.sequence++;
        const fireAt = new Date(action.fireAt ?? this.#now).toISOString();
        this.add({ EventType: EventType.TimerCreated, EventId: timerId, FireAt: fireAt });
        this.timers.push({ ...this.#ids(), timerId, fireAt });
        return undefined;
      }
      case ActionType.WaitForExternalEvent:
      case ActionType.ContinueAsNew:
        return undefined;
      default:
        return `action type ${action.actionType} (sub-orchestrations, entities and HTTP calls)`;
    }
  }

  commit(meta: InstanceMeta, historyLength: number, consumed: string[]): EpisodeCommit {
    return {
      meta,
      history: [],
      firstIndex: historyLength,
      consumedInbox: consumed,
      newActivities: [],
      newTimers: [],
      dropActivities: [],
      dropTimers: [],
      newInbox: [],
    };
  }

  #scheduleActivity(name: string, input: string | undefined, retry?: ActivityRetry): void {
    const taskId = this.sequence++;
    this.add({ EventType: EventType.TaskScheduled, EventId: taskId, Name: name, Input: input });
    this.activities.push({
      ...this.#ids(),
      taskId,
      name,
      ...(input !== undefined && { input }),
      ...(retry && { retry }),
    });
  }

  #retryTimer(retry: ActivityRetry): void {
    const timerId = this.sequence++;
    const retryNext = retry.attempt < retry.policy.maxNumberOfAttempts;
    const delay = retryNext ? retryDelay(retry.policy, retry.attempt) : 0;
    const fireAt = new Date(this.#now.getTime() + delay).toISOString();
    this.add({ EventType: EventType.TimerCreated, EventId: timerId, FireAt: fireAt });
    this.timers.push({ ...this.#ids(), timerId, fireAt, retry: { ...retry, retryNext } });
  }

  #ids(): { instanceId: string; executionId: string } {
    return { instanceId: this.#meta.instanceId, executionId: this.#meta.executionId };
  }
}

export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const base = policy.firstRetryIntervalInMilliseconds * (policy.backoffCoefficient ?? 1) ** (attempt - 1);
  return Math.min(base, policy.maxRetryIntervalInMilliseconds ?? Number.POSITIVE_INFINITY);
}

/** Action inputs arrive as values, except strings, which the SDK has already JSON-encoded. */
export function serializeInput(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  return typeof input === 'string' ? input : JSON.stringify(input);
}
