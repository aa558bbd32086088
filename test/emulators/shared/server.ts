import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { FaultInjector } from './faults';
import { createRequest, type EmulatorRequest, type Reply } from './http';
import { throwawayCertificate } from './tls';

/** One request the emulator received, and what became of it. */
export interface RequestRecord {
  readonly method: string;
  /** Decoded path without the query. */
  readonly path: string;
  readonly query: string;
  /** The status sent, or how the fault ended the exchange. */
  readonly outcome: number | 'reset' | 'hang';
  /** The injected fault that shaped the outcome, if any. */
  readonly fault?: string;
}

export interface EmulatorServer {
  /** `https://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** PEM certificate the clients must trust (`tlsOptions: { ca }`). */
  readonly ca: string;
  readonly requests: readonly RequestRecord[];
  stop(): Promise<void>;
}

export interface ServerOptions {
  readonly handler: (request: EmulatorRequest) => Reply;
  readonly faults: FaultInjector;
  /**
   * Requests that injected faults may hit (default: all). Key Vault excludes the SDK's
   * unauthenticated challenge probe, so "the next PUT" means the PUT that carries the secret.
   */
  readonly faultEligible?: (request: EmulatorRequest) => boolean;
}

/** Starts an HTTPS server on 127.0.0.1 and a free port that serves `handler` through the fault injector. */
export async function startEmulatorServer(options: ServerOptions): Promise<EmulatorServer> {
  const tls = await throwawayCertificate();
  const requests: RequestRecord[] = [];
  let origin = '';

  const server = createServer({ cert: tls.cert, key: tls.key }, (incoming, response) => {
    readBody(incoming).then(
      (body) => {
        serve(incoming, response, body);
      },
      () => {
        incoming.socket.destroy();
      },
    );
  });

  function serve(incoming: IncomingMessage, response: ServerResponse, body: string): void {
    const request = createRequest(
      incoming.method ?? 'GET',
      incoming.url ?? '/',
      origin,
      incoming.headers,
      body,
    );
    const record = (outcome: RequestRecord['outcome'], fault?: string): void => {
      requests.push({
        method: request.method,
        path: safeDecode(request.rawPath),
        query: request.url.search,
        outcome,
        ...(fault === undefined ? {} : { fault }),
      });
    };
    const fault = (options.faultEligible?.(request) ?? true) ? options.faults.take(request) : undefined;
    if (fault?.kind === 'reply') {
      record(fault.reply.status, fault.name);
      send(response, fault.reply);
      return;
    }
    if (fault?.kind === 'interleave') {
      fault.run();
    }
    const dropNow = (fault?.kind === 'reset' || fault?.kind === 'hang') && !fault.afterApply;
    const reply = dropNow ? undefined : options.handler(request);
    if (fault?.kind === 'reset') {
      record('reset', fault.afterApply ? 'reset-after-apply' : 'reset');
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      // Hold the response; the socket is destroyed when the client gives up or the emulator stops.
      record('hang', fault.afterApply ? 'hang-after-apply' : 'hang');
      return;
    }
    if (reply) {
      record(reply.status, fault?.kind === 'interleave' ? 'interleave' : undefined);
      send(response, reply);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;

  return {
    url: origin,
    ca: tls.cert,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    incoming.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (typeof reply.body === 'string') {
    payload = reply.body;
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
  }
  const noBody = reply.status === 204 || reply.status === 304;
  if (payload !== undefined && !noBody) {
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  } else if (!noBody) {
    headers['Content-Length'] = '0';
  }
  response.writeHead(reply.status, headers);
  response.end(noBody ? undefined : payload);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
