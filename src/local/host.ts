import type { IncomingMessage, ServerResponse } from 'node:http';

import type { TableClient } from '@azure/data-tables';

import type { Clock } from '../core/clock';
import { DurableEngine } from './durable/engine';
import { durableClientBindingData, DurableRpcServer } from './durable/rpc-server';
import { TableTaskHubStore, type TaskHubStore } from './durable/store';
import { type InvocationHost, type InvocationLog, invokeRegisteredFunction } from './functions-core/invoke';
import type { FunctionRegistry } from './functions-core/registry';
import type { RpcBindingInfo, RpcTypedData } from './functions-core/types';
import { type HostKeys, isAuthorized } from './http/keys';
import { sendJson, TriggerServer } from './http/trigger-server';
import { TimerTriggers } from './timer-triggers';

export type HostLogEntry = InvocationLog;

export interface LocalHostOptions {
  readonly registry: FunctionRegistry;
  readonly taskHubName: string;
  /** Table for orchestration state; the store may wrap it (tests inject faults this way). */
  readonly taskHub: TaskHubStore | TableClient;
  /** Table remembering timer trigger schedules across restarts. */
  readonly timerStatus: TableClient;
  readonly clock: Clock;
  readonly appSettings: Readonly<Record<string, string | undefined>>;
  readonly keys: HostKeys;
  /** Serve HTTP triggers on 127.0.0.1 (port 0 picks a free one); omit for no public endpoint. */
  readonly http?: { readonly port: number; readonly maxBodyBytes?: number };
  readonly log: (entry: HostLogEntry) => void;
}

const WEBHOOK_BASE = '/runtime/webhooks/durabletask/';

/**
 * Runs the Functions app on one machine: HTTP triggers, timer triggers, and the durable task hub
 * that replays its orchestrators with the durable-functions SDK. State lives in Table Storage, so a
 * new host over the same tables resumes where the last one stopped.
 */
export class LocalHost {
  readonly engine: DurableEngine;
  readonly #options: LocalHostOptions;
  readonly #timers: TimerTriggers;
  readonly #rpc: DurableRpcServer;
  readonly #invocationHost: InvocationHost;
  #server: TriggerServer | undefined;
  #baseUrl: string | undefined;
  #rpcBaseUrl = '';
  #loop: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  private constructor(options: LocalHostOptions) {
    this.#options = options;
    const invocationHost: InvocationHost = {
      inputBinding: (binding) => this.#inputBinding(binding),
      log: options.log,
    };
    this.#invocationHost = invocationHost;
    const store =
      'createInstance' in options.taskHub ? options.taskHub : new TableTaskHubStore(options.taskHub);
    this.engine = new DurableEngine({
      registry: options.registry,
      store,
      clock: options.clock,
      host: invocationHost,
    });
    this.#timers = new TimerTriggers(options.registry, options.clock, options.timerStatus, invocationHost);
    this.#rpc = new DurableRpcServer(this.engine, (id) => this.#publicStatusUrl(id));
    if (options.http) {
      this.#server = new TriggerServer({
        registry: options.registry,
        keys: options.keys,
        port: options.http.port,
        routePrefix: 'api',
        maxBodyBytes: options.http.maxBodyBytes ?? 1024 * 1024,
        host: invocationHost,
        fallback: (req, res) => this.#webhooks(req, res),
      });
    }
  }

  /** Starts the host: recovers persisted work, then opens its endpoints. Processing is not started. */
  static async start(options: LocalHostOptions): Promise<LocalHost> {
    const host = new LocalHost(options);
    if (!('createInstance' in options.taskHub)) await options.taskHub.createTable();
    await host.engine.recover();
    host.#rpcBaseUrl = await host.#rpc.listen();
    if (host.#server) host.#baseUrl = await host.#server.listen();
    await host.#timers.init(options.appSettings);
    return host;
  }

  /** Base URL of the HTTP triggers (`http://127.0.0.1:<port>`). */
  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('This host serves no HTTP endpoint.');
    return this.#baseUrl;
  }

  /** One unit of work: due timer triggers first, then the task hub. */
  async tick(): Promise<boolean> {
    if (await this.#timers.runDue()) return true;
    return this.engine.runNext();
  }

  /**
   * Delivers one Event Grid event to an Event Grid-triggered function, as the Functions host does
   * when the subscription's webhook is called in Azure. A failure of the function is thrown: Event
   * Grid would deliver the event again.
   */
  async deliverEvent(functionName: string, event: unknown): Promise<void> {
    const fn = this.#options.registry.get(functionName);
    if (fn.trigger.type.toLowerCase() !== 'eventgridtrigger') {
      throw new Error(`Function "${functionName}" is not triggered by Event Grid.`);
    }
    await invokeRegisteredFunction(
      this.#options.registry,
      functionName,
      { json: JSON.stringify(event) },
      this.#invocationHost,
    );
  }

  /** Processes until nothing is runnable at the clock's current time. */
  async drain(maxSteps = 10_000): Promise<number> {
    let steps = 0;
    while (await this.tick()) {
      if (++steps >= maxSteps) throw new Error(`The host did not settle within ${maxSteps} steps.`);
    }
    return steps;
  }

  /** Keeps processing in the background, sleeping until work or the next timer is due. */
  runInBackground(): void {
    if (this.#loop) return;
    const unsubscribe = this.engine.onWork(() => this.#wake?.());
    this.#loop = this.#run().finally(unsubscribe);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await this.#server?.close();
    await this.#rpc.close();
  }

  async #run(): Promise<void> {
    while (this.#running()) {
      let worked = false;
      try {
        worked = await this.tick();
      } catch (error) {
        this.#options.log({
          functionName: 'host',
          invocationId: '',
          level: 'error',
          category: 'system',
          message: `Processing failed, retrying after recovery: ${error instanceof Error ? error.message : String(error)}`,
        });
        await this.#sleep(2_000);
        await this.engine.recover().catch(() => undefined);
      }
      if (!worked && this.#running()) await this.#sleep(this.#msUntilNextDue());
    }
  }

  #running(): boolean {
    return !this.#stopped;
  }

  #msUntilNextDue(): number {
    const now = this.#options.clock.now().getTime();
    const due = [this.engine.nextTimerAt(), this.#timers.nextDueAt()]
      .filter((d): d is Date => d !== undefined)
      .map((d) => d.getTime() - now);
    return Math.max(0, Math.min(60_000, ...due));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.#wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  #inputBinding(binding: RpcBindingInfo): RpcTypedData | undefined {
    const type = (binding.type ?? '').toLowerCase();
    if (type !== 'durableclient' && type !== 'orchestrationclient') return undefined;
    const data = durableClientBindingData(
      this.#options.taskHubName,
      this.#rpcBaseUrl,
      this.#baseUrl ?? 'http://127.0.0.1',
      this.#options.keys.masterKey,
    );
    return { string: JSON.stringify(data) };
  }

  #publicStatusUrl(instanceId: string): string {
    return `${this.#baseUrl ?? ''}${WEBHOOK_BASE}instances/${encodeURIComponent(instanceId)}`;
  }

  /** The durable webhooks on the public endpoint, admin-key protected as in Azure. */
  async #webhooks(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(WEBHOOK_BASE)) return false;
    const presented = req.headers['x-functions-key'] ?? url.searchParams.get('code') ?? undefined;
    if (!isAuthorized(this.#options.keys, 'admin', Array.isArray(presented) ? presented[0] : presented)) {
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'The system key is required.' } });
      return true;
    }
    await this.#rpc.handle(req, res, WEBHOOK_BASE);
    return true;
  }
}
