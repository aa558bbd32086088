import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { getServices } from '../app/services';
import { toErrorResponse } from '../http/errors';
import { readJsonBody } from '../http/request';
import { verifyKeyBodySchema } from '../http/schemas';

/**
 * The managed issuer's verification endpoint, for the APIs keyturn protects: they post the key a
 * caller presented and learn whether it is valid and whose it is. The key is never echoed.
 */
async function verifyKey(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const { key } = await readJsonBody(request, verifyKeyBodySchema);
    const services = await getServices();
    return { jsonBody: await services.verifyManagedKey(key), headers: { 'cache-control': 'no-store' } };
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

app.http('verifyKey', { route: 'keys/verify', methods: ['POST'], authLevel: 'function', handler: verifyKey });
