import { app, type HttpRequest, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { installFunctionsCore } from '../../src/local/functions-core/install';
import { LocalHost } from '../../src/local/host';
import { generateHostKeys } from '../../src/local/http/keys';
import { ManualClock, MINUTE } from '../support/clock';
import { tableClient, uniqueTableName } from '../support/tables';

const timerRuns: Timer[] = [];

df.app.activity('hostDouble', { handler: (n: number) => n * 2 });
df.app.orchestration('hostOrchestrator', function* (context) {
  const n = context.df.getInput<number>();
  return (yield context.df.callActivity('hostDouble', n)) as number;
});
app.http('hostStart', {
  route: 'jobs/{n}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    const id = await client.startNew('hostOrchestrator', { input: Number(request.params['n']) });
    return { status: 202, jsonBody: { id } };
  },
});
app.http('hostStatus', {
  route: 'jobs/status/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const status = await df.getClient(context).getStatus(request.params['id'] ?? '');
    return { jsonBody: { runtimeStatus: status.runtimeStatus, output: status.output } };
  },
});
app.timer('hostTick', {
  schedule: '%HOST_TEST_SCHEDULE%',
  handler: (timer: Timer) => {
    timerRuns.push(timer);
  },
});

describe('local host', () => {
  const registry = installFunctionsCore();
  const keys = generateHostKeys();
  let clock: ManualClock;
  let hubTable: string;
  let timerTable: string;
  let host: LocalHost | undefined;

  beforeEach(() => {
    clock = new ManualClock('2026-01-05T10:00:00.000Z');
    hubTable = uniqueTableName('hub');
    timerTable = uniqueTableName('tmr');
    timerRuns.length = 0;
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  const start = () =>
    LocalHost.start({
      registry,
      taskHubName: 'testhub',
      taskHub: tableClient(hubTable),
      timerStatus: tableClient(timerTable),
      clock,
      appSettings: { HOST_TEST_SCHEDULE: '0 */5 * * * *' },
      keys,
      http: { port: 0 },
      log: () => undefined,
    });

  it('serves HTTP triggers whose durable client starts orchestrations through the SDK', async () => {
    host = await start();
    const started = await fetch(`${host.baseUrl}/api/jobs/21`, {
      method: 'POST',
      headers: { 'x-functions-key': keys.functionKeys['default'] ?? '' },
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await host.drain();
    const status = await fetch(`${host.baseUrl}/api/jobs/status/${id}`);
    expect(await status.json()).toEqual({ runtimeStatus: 'Completed', output: 42 });
  });

  it('rejects calls without a valid key where the trigger asks for one', async () => {
    host = await start();
    expect((await fetch(`${host.baseUrl}/api/jobs/1`, { method: 'POST' })).status).toBe(401);
    const wrong = await fetch(`${host.baseUrl}/api/jobs/1?code=wrong`, { method: 'POST' });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${host.baseUrl}/api/jobs/1`, { method: 'GET' })).status).toBe(405);
  });

  it('fires timer triggers on their schedule and once for an occurrence missed while down', async () => {
    host = await start();
    await host.drain();
    expect(timerRuns).toHaveLength(0);
    clock.advance(5 * MINUTE);
    await host.drain();
    expect(timerRuns).toHaveLength(1);
    expect(timerRuns[0]?.isPastDue).toBe(false);
    await host.stop();

    clock.advance(12 * MINUTE);
    host = await start();
    await host.drain();
    expect(timerRuns).toHaveLength(2);
    expect(timerRuns[1]?.isPastDue).toBe(true);
  });
});
