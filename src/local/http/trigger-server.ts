import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { fromTypedData, type InvocationHost, invokeRegisteredFunction } from '../functions-core/invoke';
import type { FunctionRegistry, RegisteredFunction } from '../functions-core/registry';
import type { RpcHttpData } from '../functions-core/types';
import { type AuthLevel, type HostKeys, isAuthorized } from './keys';
import { PayloadTooLargeError, readBody } from './read-body';
import { type CompiledRoute, compileRoute } from './route';

export interface TriggerServerOptions {
  readonly registry: FunctionRegistry;
  readonly keys: HostKeys;
  readonly port: number;
  readonly routePrefix: string;
  readonly maxBodyBytes: number;
  readonly host: InvocationHost;
  /** Answers a request no HTTP trigger claims (the host's own endpoints); undefined means 404. */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

interface HttpFunction {
  readonly fn: RegisteredFunction;
  readonly route: CompiledRoute;
  readonly methods: readonly string[];
  readonly authLevel: AuthLevel;
}

/**
 * Serves the app's HTTP triggers on 127.0.0.1 like the Functions host: `/<routePrefix>/<route>`,
 * method filtering and the declared auth level (key in `x-functions-key` or `?code=`).
 */
export class TriggerServer {
  readonly #options: TriggerServerOptions;
  readonly #functions: HttpFunction[];
  #server: Server | undefined;

  constructor(options: TriggerServerOptions) {
    this.#options = options;
    this.#functions = options.registry.byTrigger('httpTrigger').map((fn) => {
      const trigger = fn.trigger as { route?: string; methods?: string[]; authLevel?: AuthLevel };
      return {
        fn,
        route: compileRoute(`${options.routePrefix}/${trigger.route ?? fn.metadata.name}`),
        methods: (trigger.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
        authLevel: trigger.authLevel ?? 'anonymous',
      };
    });
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#options.host.log({
          functionName: 'host',
          invocationId: '',
          level: 'error',
          category: 'system',
          message: `Unhandled error serving ${req.method ?? ''} ${pathOf(req)}: ${String(error)}`,
        });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'Internal error.' } });
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(this.#options.port, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const candidates = this.#functions
      .map((f) => ({ f, params: f.route.match(url.pathname) }))
      .filter((c): c is { f: HttpFunction; params: Record<string, string> } => c.params !== undefined);
    if (candidates.length === 0) {
      if (this.#options.fallback && (await this.#options.fallback(req, res))) return;
      sendJson(res, 404, { error: { code: 'not_found', message: 'No function serves this path.' } });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const chosen = candidates.find((c) => c.f.methods.includes(method));
    if (!chosen) {
      res.setHeader('Allow', [...new Set(candidates.flatMap((c) => c.f.methods))].join(', '));
      sendJson(res, 405, {
        error: { code: 'method_not_allowed', message: `${method} is not allowed here.` },
      });
      return;
    }
    const presented = headerValue(req, 'x-functions-key') ?? url.searchParams.get('code') ?? undefined;
    if (!isAuthorized(this.#options.keys, chosen.f.authLevel, presented)) {
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'A valid function key is required.' } });
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.#options.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        sendJson(res, 413, { error: { code: 'payload_too_large', message: error.message } });
        return;
      }
      throw error;
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const request: RpcHttpData = {
      method,
      url: `http://${headers['host'] ?? '127.0.0.1'}${url.pathname}${url.search}`,
      headers,
      query,
      params: chosen.params,
      body: { bytes: body },
    };
    const result = await invokeRegisteredFunction(
      this.#options.registry,
      chosen.f.fn.metadata.name,
      { http: request },
      this.#options.host,
    );
    writeHttpResponse(res, fromTypedData(result.returnValue) as RpcHttpData | undefined);
  }
}

function writeHttpResponse(res: ServerResponse, response: RpcHttpData | undefined): void {
  if (!response) {
    res.statusCode = 204;
    res.end();
    return;
  }
  res.statusCode = Number(response.statusCode ?? 200);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const body = fromTypedData(response.body ?? undefined);
  if (body === undefined) res.end();
  else res.end(typeof body === 'string' ? body : Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
}
