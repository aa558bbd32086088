import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubApi {
  readonly url: string;
  /** Status the next requests get. */
  status: number;
  readonly requests: number;
  close(): Promise<void>;
}

/** A real local HTTP API whose answer the test sets: stands in for an API that rejects a key. */
export async function startStubApi(initialStatus: number): Promise<StubApi> {
  let requests = 0;
  const state = { status: initialStatus };
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(state.status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
