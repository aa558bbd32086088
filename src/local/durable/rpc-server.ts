import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { readBody } from '../http/read-body';
import { sendJson } from '../http/trigger-server';
import { type DurableEngine, InstanceExistsError } from './engine';
import { EventType, type HistoryEvent, type RuntimeStatusName } from './history';
import type { InstanceMeta } from './store';

/**
 * The Durable extension's HTTP API, as the durable-functions client calls it through `rpcBaseUrl`
 * (start, status, query, raise event, terminate, purge). Bound to 127.0.0.1 on a port of its own
 * and unauthenticated, like the extension's in-sandbox endpoint.
 */
export class DurableRpcServer {
  readonly #engine: DurableEngine;
  readonly #publicStatusUrl: (instanceId: string) => string;
  #server: Server | undefined;

  constructor(engine: DurableEngine, publicStatusUrl: (instanceId: string) => string) {
    this.#engine = engine;
    this.#publicStatusUrl = publicStatusUrl;
  }

  /** Listens and returns the base URL clients use (`rpcBaseUrl`). */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res, '/durabletask/');
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/durabletask/`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  /** Serves one request whose path starts with `base` (the internal or the public webhook root). */
  async handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    try {
      await this.#handle(req, res, base);
    } catch (error) {
      if (!res.headersSent)
        sendJson(res, 500, { message: error instanceof Error ? error.message : 'Error.' });
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(base)) {
      sendJson(res, 404, { message: 'Not found.' });
      return;
    }
    const [resource, id, action, eventName] = url.pathname
      .slice(base.length)
      .split('/')
      .filter((p) => p.length > 0)
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (resource === 'orchestrators' && method === 'POST' && id) {
      const body = (await readBody(req, 1024 * 1024)).toString('utf8');
      const input = body.length > 0 ? (JSON.parse(body) as unknown) : undefined;
      try {
        const instanceId = await this.#engine.startNew(id, action, input);
        sendJson(res, 202, { id: instanceId, statusQueryGetUri: this.#publicStatusUrl(instanceId) });
        return;
      } catch (error) {
        if (error instanceof InstanceExistsError) {
          sendJson(res, 409, { message: error.message });
          return;
        }
        if (error instanceof RangeError) {
          sendJson(res, 400, { message: error.message });
          return;
        }
        throw error;
      }
    }

    if (resource !== 'instances') {
      sendJson(res, 404, { message: 'Not found.' });
      return;
    }

    if (!id) {
      if (method === 'GET') {
        sendJson(res, 200, await this.#query(url.searchParams));
        return;
      }
      sendJson(res, 405, { message: 'Method not allowed.' });
      return;
    }

    if (method === 'GET' && !action) {
      const meta = await this.#engine.getMeta(id);
      if (!meta) {
        sendJson(res, 404, { message: `No instance ${id}.` });
        return;
      }
      const showHistory = url.searchParams.get('showHistory') === 'true';
      const history = showHistory ? await this.#engine.getHistory(id) : undefined;
      const showInput = url.searchParams.get('showInput') !== 'false';
      const running = meta.status === 'Running' || meta.status === 'Pending';
      sendJson(res, running ? 202 : 200, toStatus(meta, showInput, history));
      return;
    }

    if (method === 'DELETE' && !action) {
      const deleted = await this.#engine.purge(id);
      sendJson(res, deleted ? 200 : 404, { instancesDeleted: deleted ? 1 : 0 });
      return;
    }

    if (method === 'POST' && (action === 'raiseEvent' || action === 'terminate')) {
      let outcome: 'accepted' | 'not-found' | 'gone';
      if (action === 'raiseEvent') {
        const body = (await readBody(req, 1024 * 1024)).toString('utf8');
        outcome = await this.#engine.raiseEvent(
          id,
          eventName ?? '',
          body.length > 0 ? (JSON.parse(body) as unknown) : undefined,
        );
      } else {
        outcome = await this.#engine.terminate(id, url.searchParams.get('reason') ?? '');
      }
      const status = outcome === 'accepted' ? 202 : outcome === 'gone' ? 410 : 404;
      sendJson(res, status, {});
      return;
    }

    sendJson(res, 404, { message: 'Not found.' });
  }

  async #query(params: URLSearchParams): Promise<unknown[]> {
    const statuses = params.get('runtimeStatus')?.split(',').filter(Boolean) as
      RuntimeStatusName[] | undefined;
    const from = params.get('createdTimeFrom');
    const to = params.get('createdTimeTo');
    return (await this.#engine.listMeta())
      .filter((m) => !statuses || statuses.includes(m.status))
      .filter((m) => !from || m.createdTime >= new Date(from).toISOString())
      .filter((m) => !to || m.createdTime <= new Date(to).toISOString())
      .map((m) => toStatus(m, false, undefined));
  }
}

function toStatus(meta: InstanceMeta, showInput: boolean, history: HistoryEvent[] | undefined): unknown {
  const parse = (json: string | undefined): unknown => (json === undefined ? null : JSON.parse(json));
  return {
    name: meta.name,
    instanceId: meta.instanceId,
    createdTime: meta.createdTime,
    lastUpdatedTime: meta.lastUpdatedTime,
    input: showInput ? parse(meta.input) : null,
    output: parse(meta.output),
    runtimeStatus: meta.status,
    customStatus: parse(meta.customStatus),
    ...(history && { history: history.map(describeEvent) }),
  };
}

const EVENT_NAMES = Object.fromEntries(Object.entries(EventType).map(([name, value]) => [value, name]));

function describeEvent(event: HistoryEvent): Record<string, unknown> {
  return { ...event, EventType: EVENT_NAMES[event.EventType] ?? String(event.EventType) };
}

/** The durable client input binding payload the extension hands to client functions. */
export function durableClientBindingData(
  taskHubName: string,
  rpcBaseUrl: string,
  publicBaseUrl: string,
  systemKey: string,
) {
  const webhook = `${publicBaseUrl}/runtime/webhooks/durabletask`;
  const query = `taskHub=${taskHubName}&connection=Storage&code=${systemKey}`;
  const instance = `${webhook}/instances/INSTANCEID`;
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?code=${systemKey}`,
      createAndWaitOnNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${systemKey}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: webhook,
    requiredQueryStringParameters: `code=${systemKey}`,
    rpcBaseUrl,
    httpBaseUrl: '',
  };
}
