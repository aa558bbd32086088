/**
 * History events and actions in the wire shapes that the durable-functions SDK replays
 * (PascalCase fields, numeric event types), as the Durable extension sends them to the worker.
 * Only the kinds the local host produces are modelled.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
}

interface Base {
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
}

export type HistoryEvent =
  | (Base & { EventType: typeof EventType.OrchestratorStarted })
  | (Base & { EventType: typeof EventType.OrchestratorCompleted })
  | (Base & { EventType: typeof EventType.ExecutionStarted; Name: string; Input?: string })
  | (Base & { EventType: typeof EventType.ExecutionCompleted; Result?: string })
  | (Base & { EventType: typeof EventType.ExecutionTerminated; Input?: string })
  | (Base & { EventType: typeof EventType.TaskScheduled; Name: string; Input?: string })
  | (Base & { EventType: typeof EventType.TaskCompleted; TaskScheduledId: number; Result: string })
  | (Base & {
      EventType: typeof EventType.TaskFailed;
      TaskScheduledId: number;
      Reason: string;
      Details: string;
      FailureDetails: FailureDetails;
    })
  | (Base & { EventType: typeof EventType.TimerCreated; FireAt: string })
  | (Base & { EventType: typeof EventType.TimerFired; TimerId: number; FireAt: string })
  | (Base & { EventType: typeof EventType.EventRaised; Name: string; Input?: string });

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewHistoryEvent = DistributiveOmit<HistoryEvent, 'IsPlayed' | 'Timestamp' | 'EventId'> & {
  EventId?: number;
};

/** Action types the SDK emits (ActionType enum of durable-functions). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
} as const;

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
}

export interface SdkAction {
  actionType: number;
  functionName?: string;
  externalEventName?: string;
  input?: unknown;
  fireAt?: string | Date;
  isCanceled?: boolean;
  retryOptions?: RetryPolicy;
  reason?: string;
}

/** The orchestrator's answer for one episode (OrchestratorState of the SDK). */
export interface OrchestratorState {
  isDone: boolean;
  actions: SdkAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export const RuntimeStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
  Terminated: 'Terminated',
} as const;
export type RuntimeStatusName = (typeof RuntimeStatus)[keyof typeof RuntimeStatus];

export function isTerminal(status: RuntimeStatusName): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

/** Signature of an action, recorded to detect an orchestrator that no longer replays the same way. */
export function actionSignature(action: SdkAction): string {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return `activity:${action.functionName ?? ''}`;
    case ActionType.CreateTimer:
      return 'timer';
    case ActionType.WaitForExternalEvent:
      return `event:${action.externalEventName ?? ''}`;
    case ActionType.ContinueAsNew:
      return 'continue-as-new';
    default:
      return `unsupported:${action.actionType}`;
  }
}
