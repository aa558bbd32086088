import type { TableClient } from '@azure/data-tables';

import { type Ncrontab, parseNcrontab } from '../config/ncrontab';
import type { Clock } from '../core/clock';
import { statusCodeOf } from '../storage/tables';
import { type InvocationHost, invokeRegisteredFunction } from './functions-core/invoke';
import type { FunctionRegistry } from './functions-core/registry';

interface ScheduledTimer {
  readonly functionName: string;
  readonly schedule: Ncrontab;
  last: Date | undefined;
  next: Date;
  pastDue: boolean;
}

/**
 * Fires the app's timer triggers on their NCRONTAB schedules by the injected clock. Like the
 * Functions host with `useMonitor`, it remembers each schedule's last and next occurrence, so an
 * occurrence missed while the host was down runs once at start-up, flagged `isPastDue`.
 */
export class TimerTriggers {
  readonly #registry: FunctionRegistry;
  readonly #clock: Clock;
  readonly #status: TableClient;
  readonly #host: InvocationHost;
  readonly #timers: ScheduledTimer[] = [];

  constructor(registry: FunctionRegistry, clock: Clock, status: TableClient, host: InvocationHost) {
    this.#registry = registry;
    this.#clock = clock;
    this.#status = status;
    this.#host = host;
  }

  async init(appSettings: Readonly<Record<string, string | undefined>>): Promise<void> {
    await this.#status.createTable();
    const now = this.#clock.now();
    for (const fn of this.#registry.byTrigger('timerTrigger')) {
      const trigger = fn.trigger as { schedule?: string; runOnStartup?: boolean };
      const schedule = parseNcrontab(resolveAppSettings(trigger.schedule ?? '', appSettings));
      const saved = await this.#load(fn.metadata.name);
      const missed = saved !== undefined && saved.next.getTime() <= now.getTime();
      const timer: ScheduledTimer = {
        functionName: fn.metadata.name,
        schedule,
        last: saved?.last,
        next: missed || trigger.runOnStartup === true ? now : (saved?.next ?? schedule.next(now)),
        pastDue: missed,
      };
      this.#timers.push(timer);
    }
  }

  nextDueAt(): Date | undefined {
    const times = this.#timers.map((t) => t.next.getTime());
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  }

  /** Invokes every timer function that is due; returns whether any ran. */
  async runDue(): Promise<boolean> {
    const now = this.#clock.now();
    let ran = false;
    for (const timer of this.#timers) {
      if (timer.next.getTime() > now.getTime()) continue;
      const next = timer.schedule.next(now);
      const payload = {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: {
          Last: (timer.last ?? now).toISOString(),
          Next: next.toISOString(),
          LastUpdated: now.toISOString(),
        },
        IsPastDue: timer.pastDue,
      };
      timer.last = now;
      timer.next = next;
      timer.pastDue = false;
      await this.#save(timer);
      ran = true;
      try {
        await invokeRegisteredFunction(
          this.#registry,
          timer.functionName,
          { json: JSON.stringify(payload) },
          this.#host,
        );
      } catch (error) {
        this.#host.log({
          functionName: timer.functionName,
          invocationId: '',
          level: 'error',
          category: 'system',
          message: `Timer function failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    return ran;
  }

  async #load(functionName: string): Promise<{ last?: Date; next: Date } | undefined> {
    try {
      const row = await this.#status.getEntity<{ last?: string; next: string }>('timers', functionName);
      return { ...(row.last !== undefined && { last: new Date(row.last) }), next: new Date(row.next) };
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  async #save(timer: ScheduledTimer): Promise<void> {
    await this.#status.upsertEntity(
      {
        partitionKey: 'timers',
        rowKey: timer.functionName,
        last: timer.last?.toISOString(),
        next: timer.next.toISOString(),
      },
      'Replace',
    );
  }
}

/** Replaces `%NAME%` with the app setting NAME, as the Functions host does in binding expressions. */
export function resolveAppSettings(
  value: string,
  appSettings: Readonly<Record<string, string | undefined>>,
): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = appSettings[name];
    if (resolved === undefined) throw new Error(`App setting "${name}" is referenced but not set.`);
    return resolved;
  });
}
