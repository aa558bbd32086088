import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoApi {
  readonly url: string;
  close(): Promise<void>;
}

/** Where the demo API asks keyturn to verify the keys its callers present. */
export interface VerifyEndpoint {
  readonly url: string;
  readonly functionKey: string;
}

/**
 * A small API protected by keyturn's managed issuer, standing in for the vendor or internal API a
 * real credential is for: `GET /hello` answers 200 to a caller presenting a valid key in
 * `x-api-key` and 401 otherwise. It never stores or logs the key; keyturn does the verifying.
 */
export async function startDemoApi(verify: () => VerifyEndpoint): Promise<DemoApi> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' || req.url !== '/hello') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const presented = req.headers['x-api-key'];
      if (typeof presented !== 'string' || presented.length === 0) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"x-api-key required"}');
        return;
      }
      const endpoint = verify();
      try {
        const response = await fetch(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-functions-key': endpoint.functionKey },
          body: JSON.stringify({ key: presented }),
        });
        const result = (await response.json()) as {
          valid?: boolean;
          credentialId?: string;
          generation?: number;
        };
        if (response.ok && result.valid === true) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ hello: result.credentialId, generation: result.generation }));
        } else {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid key"}');
        }
      } catch {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"error":"key verification unavailable"}');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
