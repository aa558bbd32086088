import { randomUUID } from 'node:crypto';

import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';

import { rowKeyPrefixFilter, statusCodeOf } from '../../storage/tables';
import type { FailureDetails, HistoryEvent, RetryPolicy, RuntimeStatusName } from './history';

/** The state of one orchestration instance, as the status API reports it. */
export interface InstanceMeta {
  readonly instanceId: string;
  readonly name: string;
  readonly executionId: string;
  readonly status: RuntimeStatusName;
  /** JSON of the orchestration input. */
  readonly input?: string;
  /** JSON of the output (the error message for a failed instance). */
  readonly output?: string;
  /** JSON of the custom status. */
  readonly customStatus?: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  /** Number of history rows that belong to the current execution. */
  readonly historyLength: number;
  /** Next task id to hand out; mirrors the SDK's sequence numbering. */
  readonly nextSequence: number;
  /** Signatures of the actions already turned into history, for the determinism check. */
  readonly actionSignatures: readonly string[];
}

/** A message waiting to be applied to an instance's history in its next episode. */
export type InboxMessage =
  | { kind: 'started'; name: string; input?: string }
  | { kind: 'taskCompleted'; taskId: number; result: string; retry?: ActivityRetry }
  | { kind: 'taskFailed'; taskId: number; failure: FailureDetails; retry?: ActivityRetry }
  | { kind: 'timerFired'; timerId: number; fireAt: string; retry?: PendingRetry }
  | { kind: 'eventRaised'; name: string; input?: string }
  | { kind: 'terminate'; reason: string };

export interface ActivityRetry {
  readonly policy: RetryPolicy;
  readonly attempt: number;
  readonly name: string;
  readonly input?: string;
}

/** A retry timer remembers which attempt it leads to; `undefined` next attempt means "give up". */
export interface PendingRetry extends ActivityRetry {
  readonly retryNext: boolean;
}

export interface StoredInbox {
  readonly id: string;
  readonly executionId: string;
  readonly message: InboxMessage;
}

export interface PendingActivity {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly input?: string;
  readonly retry?: ActivityRetry;
}

export interface PendingTimer {
  readonly instanceId: string;
  readonly executionId: string;
  readonly timerId: number;
  readonly fireAt: string;
  readonly retry?: PendingRetry;
}

export interface LoadedInstance {
  readonly meta: InstanceMeta;
  readonly etag: string;
  readonly history: HistoryEvent[];
  readonly inbox: StoredInbox[];
}

export interface EpisodeCommit {
  readonly meta: InstanceMeta;
  /** History rows from index `firstIndex` on (the whole history when a new execution starts). */
  readonly history: readonly HistoryEvent[];
  readonly firstIndex: number;
  readonly consumedInbox: readonly string[];
  readonly newActivities: readonly PendingActivity[];
  readonly newTimers: readonly PendingTimer[];
  /** Work of an execution that ended (terminated, completed, continued as new). */
  readonly dropActivities: readonly number[];
  readonly dropTimers: readonly number[];
  /** Messages for the instance's next episode (the start of a new execution). */
  readonly newInbox: readonly { executionId: string; message: InboxMessage }[];
}

/**
 * Persistence of the local task hub. Every method is one commit point: it either lands entirely or
 * not at all, so a process that dies between calls resumes from a consistent state.
 */
export interface TaskHubStore {
  /** Creates (or restarts, when `replaceTerminal`) an instance with its start message. */
  createInstance(meta: InstanceMeta, start: InboxMessage): Promise<'created' | 'exists'>;
  loadInstance(instanceId: string): Promise<LoadedInstance | undefined>;
  getMeta(instanceId: string): Promise<InstanceMeta | undefined>;
  listMeta(): Promise<InstanceMeta[]>;
  commitEpisode(instanceId: string, etag: string, commit: EpisodeCommit): Promise<void>;
  /** Records an activity's outcome in the inbox and removes its work item, atomically. */
  completeActivity(activity: PendingActivity, message: InboxMessage): Promise<void>;
  /** Moves a due timer into the inbox, atomically. */
  fireTimer(timer: PendingTimer, message: InboxMessage): Promise<void>;
  appendInbox(instanceId: string, executionId: string, message: InboxMessage): Promise<void>;
  /** Activities not yet completed, of one instance or of all. */
  listPendingActivities(instanceId?: string): Promise<PendingActivity[]>;
  /** Timers not yet fired, of one instance or of all. */
  listPendingTimers(instanceId?: string): Promise<PendingTimer[]>;
  listInstancesWithInbox(): Promise<string[]>;
  purge(instanceId: string): Promise<boolean>;
}

const META = 'meta';
const pad = (n: number): string => n.toString().padStart(8, '0');
const historyKey = (i: number): string => `h-${pad(i)}`;
const activityKey = (taskId: number): string => `act-${pad(taskId)}`;
const timerKey = (timerId: number): string => `tmr-${pad(timerId)}`;
let inboxCounter = 0;
/** Inbox keys sort in arrival order within a process and stay unique across processes. */
const inboxKey = (): string =>
  `in-${Date.now().toString().padStart(15, '0')}-${pad(inboxCounter++ % 1e8)}-${randomUUID().slice(0, 8)}`;

const MAX_BATCH = 100;

/** Task hub persisted in one Table Storage table, one partition per instance. */
export class TableTaskHubStore implements TaskHubStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  async ensureTable(): Promise<void> {
    await this.#table.createTable();
  }

  async createInstance(meta: InstanceMeta, start: InboxMessage): Promise<'created' | 'exists'> {
    const existing = await this.#getMetaEntity(meta.instanceId);
    const actions: TransactionAction[] = [];
    if (existing) {
      if (existing.meta.status === 'Pending' || existing.meta.status === 'Running') return 'exists';
      // Restarting a finished instance id: the old execution's rows go, as with the Durable
      // extension's "overridable" non-running states.
      await this.purge(meta.instanceId);
    }
    actions.push(['create', { partitionKey: meta.instanceId, rowKey: META, ...toMetaEntity(meta) }]);
    actions.push([
      'create',
      {
        partitionKey: meta.instanceId,
        rowKey: inboxKey(),
        executionId: meta.executionId,
        message: JSON.stringify(start),
      },
    ]);
    try {
      await this.#table.submitTransaction(actions);
      return 'created';
    } catch (error) {
      if (statusCodeOf(error) === 409) return 'exists';
      throw error;
    }
  }

  async loadInstance(instanceId: string): Promise<LoadedInstance | undefined> {
    const rows: TableEntityResult<Record<string, unknown>>[] = [];
    for await (const row of this.#table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}` },
    })) {
      rows.push(row);
    }
    const metaRow = rows.find((r) => r.rowKey === META);
    if (!metaRow) return undefined;
    const meta = fromMetaEntity(instanceId, metaRow);
    const history = rows
      .filter((r) => r.rowKey?.startsWith('h-'))
      .sort((a, b) => (a.rowKey ?? '').localeCompare(b.rowKey ?? ''))
      .slice(0, meta.historyLength)
      .map((r) => JSON.parse(String(r['event'])) as HistoryEvent);
    const inbox = rows
      .filter((r) => r.rowKey?.startsWith('in-'))
      .sort((a, b) => (a.rowKey ?? '').localeCompare(b.rowKey ?? ''))
      .map((r) => ({
        id: r.rowKey ?? '',
        executionId: String(r['executionId']),
        message: JSON.parse(String(r['message'])) as InboxMessage,
      }));
    return { meta, etag: metaRow.etag, history, inbox };
  }

  async getMeta(instanceId: string): Promise<InstanceMeta | undefined> {
    return (await this.#getMetaEntity(instanceId))?.meta;
  }

  async listMeta(): Promise<InstanceMeta[]> {
    const result: InstanceMeta[] = [];
    for await (const row of this.#table.listEntities({ queryOptions: { filter: `RowKey eq '${META}'` } })) {
      result.push(fromMetaEntity(row.partitionKey ?? '', row));
    }
    return result;
  }

  async commitEpisode(instanceId: string, etag: string, commit: EpisodeCommit): Promise<void> {
    const pk = instanceId;
    const historyActions: TransactionAction[] = commit.history.map((event, offset) => [
      'upsert',
      { partitionKey: pk, rowKey: historyKey(commit.firstIndex + offset), event: JSON.stringify(event) },
      'Replace',
    ]);
    const workActions: TransactionAction[] = [
      ...commit.consumedInbox.map((id): TransactionAction => ['delete', { partitionKey: pk, rowKey: id }]),
      ...commit.dropActivities.map((taskId): TransactionAction => [
        'delete',
        { partitionKey: pk, rowKey: activityKey(taskId) },
      ]),
      ...commit.dropTimers.map((timerId): TransactionAction => [
        'delete',
        { partitionKey: pk, rowKey: timerKey(timerId) },
      ]),
      ...commit.newActivities.map((a): TransactionAction => [
        'upsert',
        {
          partitionKey: pk,
          rowKey: activityKey(a.taskId),
          executionId: a.executionId,
          name: a.name,
          input: a.input,
          retry: a.retry && JSON.stringify(a.retry),
        },
        'Replace',
      ]),
      ...commit.newTimers.map((t): TransactionAction => [
        'upsert',
        {
          partitionKey: pk,
          rowKey: timerKey(t.timerId),
          executionId: t.executionId,
          fireAt: t.fireAt,
          retry: t.retry && JSON.stringify(t.retry),
        },
        'Replace',
      ]),
    ];
    const inboxActions: TransactionAction[] = commit.newInbox.map((m) => [
      'create',
      {
        partitionKey: pk,
        rowKey: inboxKey(),
        executionId: m.executionId,
        message: JSON.stringify(m.message),
      },
    ]);
    workActions.push(...inboxActions);
    const metaAction: TransactionAction = [
      'update',
      { partitionKey: pk, rowKey: META, ...toMetaEntity(commit.meta) },
      'Replace',
      { etag },
    ];
    // History rows beyond the recorded length are ignored on load, so they may land in batches
    // ahead of the one that moves the meta row; everything that changes meaning lands with it.
    if (workActions.length > MAX_BATCH - 1) {
      throw new Error(
        `An episode of ${instanceId} changed ${workActions.length} work items; the local host commits at most ${MAX_BATCH - 1} at once.`,
      );
    }
    for (let i = 0; i < historyActions.length; i += MAX_BATCH) {
      await this.#table.submitTransaction(historyActions.slice(i, i + MAX_BATCH));
    }
    await this.#table.submitTransaction([...workActions, metaAction]);
  }

  async completeActivity(activity: PendingActivity, message: InboxMessage): Promise<void> {
    await this.#moveToInbox(activity.instanceId, activityKey(activity.taskId), activity.executionId, message);
  }

  async fireTimer(timer: PendingTimer, message: InboxMessage): Promise<void> {
    await this.#moveToInbox(timer.instanceId, timerKey(timer.timerId), timer.executionId, message);
  }

  async appendInbox(instanceId: string, executionId: string, message: InboxMessage): Promise<void> {
    await this.#table.createEntity({
      partitionKey: instanceId,
      rowKey: inboxKey(),
      executionId,
      message: JSON.stringify(message),
    });
  }

  async listPendingActivities(instanceId?: string): Promise<PendingActivity[]> {
    const result: PendingActivity[] = [];
    for await (const row of this.#rowsWithPrefix('act-', instanceId)) {
      result.push({
        instanceId: row.partitionKey ?? '',
        executionId: String(row['executionId']),
        taskId: Number((row.rowKey ?? '').slice(4)),
        name: String(row['name']),
        input: optionalString(row['input']),
        retry: parseOptional<ActivityRetry>(row['retry']),
      });
    }
    return result;
  }

  async listPendingTimers(instanceId?: string): Promise<PendingTimer[]> {
    const result: PendingTimer[] = [];
    for await (const row of this.#rowsWithPrefix('tmr-', instanceId)) {
      result.push({
        instanceId: row.partitionKey ?? '',
        executionId: String(row['executionId']),
        timerId: Number((row.rowKey ?? '').slice(4)),
        fireAt: String(row['fireAt']),
        retry: parseOptional<PendingRetry>(row['retry']),
      });
    }
    return result;
  }

  async listInstancesWithInbox(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const row of this.#rowsWithPrefix('in-')) ids.add(row.partitionKey ?? '');
    return [...ids];
  }

  async purge(instanceId: string): Promise<boolean> {
    const keys: string[] = [];
    for await (const row of this.#table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] },
    })) {
      keys.push(row.rowKey ?? '');
    }
    if (keys.length === 0) return false;
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      await this.#table.submitTransaction(
        keys.slice(i, i + MAX_BATCH).map((rowKey) => ['delete', { partitionKey: instanceId, rowKey }]),
      );
    }
    return true;
  }

  async #moveToInbox(instanceId: string, workKey: string, executionId: string, message: InboxMessage) {
    try {
      await this.#table.submitTransaction([
        ['delete', { partitionKey: instanceId, rowKey: workKey }],
        [
          'create',
          { partitionKey: instanceId, rowKey: inboxKey(), executionId, message: JSON.stringify(message) },
        ],
      ]);
    } catch (error) {
      // The work item is already gone: its outcome was recorded before (a duplicate run) or the
      // instance was purged. Either way there is nothing left to record.
      if (statusCodeOf(error) === 404) return;
      throw error;
    }
  }

  #rowsWithPrefix(prefix: string, instanceId?: string) {
    return this.#table.listEntities({
      queryOptions: { filter: rowKeyPrefixFilter(prefix, instanceId) },
    });
  }

  async #getMetaEntity(instanceId: string): Promise<{ meta: InstanceMeta; etag: string } | undefined> {
    try {
      const row = await this.#table.getEntity(instanceId, META);
      return { meta: fromMetaEntity(instanceId, row), etag: row.etag };
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }
}

function toMetaEntity(meta: InstanceMeta): Record<string, unknown> {
  return {
    name: meta.name,
    executionId: meta.executionId,
    status: meta.status,
    input: meta.input,
    output: meta.output,
    customStatus: meta.customStatus,
    createdTime: meta.createdTime,
    lastUpdatedTime: meta.lastUpdatedTime,
    historyLength: meta.historyLength,
    nextSequence: meta.nextSequence,
    actionSignatures: JSON.stringify(meta.actionSignatures),
  };
}

function fromMetaEntity(instanceId: string, row: Record<string, unknown>): InstanceMeta {
  return {
    instanceId,
    name: String(row['name']),
    executionId: String(row['executionId']),
    status: String(row['status']) as RuntimeStatusName,
    input: optionalString(row['input']),
    output: optionalString(row['output']),
    customStatus: optionalString(row['customStatus']),
    createdTime: String(row['createdTime']),
    lastUpdatedTime: String(row['lastUpdatedTime']),
    historyLength: Number(row['historyLength']),
    nextSequence: Number(row['nextSequence']),
    actionSignatures: JSON.parse(optionalString(row['actionSignatures']) ?? '[]') as string[],
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseOptional<T>(value: unknown): T | undefined {
  return typeof value === 'string' ? (JSON.parse(value) as T) : undefined;
}
