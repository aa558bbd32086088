import * as df from 'durable-functions';
import { beforeEach, describe, expect, it } from 'vitest';

import { DurableEngine } from '../../src/local/durable/engine';
import { TableTaskHubStore } from '../../src/local/durable/store';
import { installFunctionsCore } from '../../src/local/functions-core/install';
import { HOUR, ManualClock } from '../support/clock';
import { tableClient, uniqueTableName } from '../support/tables';

const calls: string[] = [];
let failuresLeft = 0;

df.app.activity('toyGreet', {
  handler: (name: string) => {
    calls.push(`greet:${name}`);
    return `hello ${name}`;
  },
});
df.app.activity('toyFlaky', {
  handler: () => {
    calls.push('flaky');
    if (failuresLeft-- > 0) throw new Error('transient');
    return 'ok';
  },
});
df.app.orchestration('toyOrchestrator', function* (context) {
  const input = context.df.getInput<{ name: string }>();
  const first = (yield context.df.callActivity('toyGreet', input.name)) as string;
  context.df.setCustomStatus({ step: 'waiting' });
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 2 * HOUR));
  const flaky = (yield context.df.callActivityWithRetry('toyFlaky', new df.RetryOptions(1000, 3))) as string;
  const approval = (yield context.df.waitForExternalEvent('approve')) as unknown;
  return { first, flaky, approval };
});

/** A fresh task hub table and clock for each test; engines built on them share that state. */
function taskHubPerTest() {
  const registry = installFunctionsCore();
  const current = { clock: new ManualClock(), store: undefined as TableTaskHubStore | undefined };
  beforeEach(async () => {
    calls.length = 0;
    current.clock = new ManualClock();
    current.store = new TableTaskHubStore(tableClient(uniqueTableName('hub')));
    await current.store.ensureTable();
  });
  return {
    get clock() {
      return current.clock;
    },
    engine: () => {
      if (!current.store) throw new Error('engines are built inside tests');
      return new DurableEngine({
        registry,
        store: current.store,
        clock: current.clock,
        host: { inputBinding: () => undefined, log: () => undefined },
      });
    },
  };
}

describe('local durable engine', () => {
  const hub = taskHubPerTest();
  const engine = hub.engine;

  it('replays an orchestrator through activities, a durable timer, retries and an external event', async () => {
    failuresLeft = 2;
    const host = engine();
    const id = await host.startNew('toyOrchestrator', 'toy-1', { name: 'ada' });
    await host.drain();
    expect((await host.getMeta(id))?.status).toBe('Running');
    expect(calls).toEqual(['greet:ada']);
    expect(JSON.parse((await host.getMeta(id))?.customStatus ?? 'null')).toEqual({ step: 'waiting' });

    hub.clock.advance(2 * HOUR);
    await host.drain();
    expect(calls).toEqual(['greet:ada', 'flaky']);
    hub.clock.advance(1000);
    await host.drain();
    hub.clock.advance(1000);
    await host.drain();
    expect(calls).toEqual(['greet:ada', 'flaky', 'flaky', 'flaky']);

    expect(await host.raiseEvent(id, 'approve', { by: 'alice' })).toBe('accepted');
    await host.drain();
    const meta = await host.getMeta(id);
    expect(meta?.status).toBe('Completed');
    expect(JSON.parse(meta?.output ?? 'null')).toEqual({
      first: 'hello ada',
      flaky: 'ok',
      approval: { by: 'alice' },
    });
  });

  it('resumes after a restart from what was persisted, firing the timer when it is due', async () => {
    failuresLeft = 0;
    const first = engine();
    await first.startNew('toyOrchestrator', 'toy-2', { name: 'bob' });
    await first.drain();

    const second = engine();
    await second.recover();
    expect(second.nextTimerAt()?.toISOString()).toBe(
      new Date(hub.clock.now().getTime() + 2 * HOUR).toISOString(),
    );
    hub.clock.advance(2 * HOUR);
    await second.drain();
    expect(calls).toEqual(['greet:bob', 'flaky']);
    await second.raiseEvent('toy-2', 'approve', true);
    await second.drain();
    expect((await second.getMeta('toy-2'))?.status).toBe('Completed');
  });

  it('refuses a second start of an instance that is still running', async () => {
    const host = engine();
    await host.startNew('toyOrchestrator', 'toy-3', { name: 'x' });
    await expect(host.startNew('toyOrchestrator', 'toy-3', { name: 'x' })).rejects.toThrow(
      /already pending or running/,
    );
  });
});

let flip = false;
df.app.orchestration('toyDrifting', function* (context) {
  // Deliberately non-deterministic: which activity it calls first depends on module state.
  yield context.df.callActivity(flip ? 'toyFlaky' : 'toyGreet', 'x');
  return 'done';
});
df.app.orchestration('toyThrowing', function* (context) {
  yield context.df.callActivity('toyGreet', 'y');
  throw new Error('the orchestrator gave up');
});
df.app.orchestration('toyLooping', function* (context) {
  const count = context.df.getInput<number>();
  yield context.df.callActivity('toyGreet', `round ${count}`);
  if (count < 3) {
    context.df.continueAsNew(count + 1);
    return undefined;
  }
  return count;
});
df.app.orchestration('toySubOrchestrating', function* (context) {
  return (yield context.df.callSubOrchestrator('toyThrowing')) as unknown;
});

describe('local durable engine fidelity', () => {
  const engine = taskHubPerTest().engine;

  it('fails an orchestrator that no longer replays the way its history says', async () => {
    flip = false;
    const host = engine();
    await host.startNew('toyDrifting', 'drift-1', undefined);
    await host.runNext();
    flip = true;
    await host.drain();
    const meta = await host.getMeta('drift-1');
    expect(meta?.status).toBe('Failed');
    expect(meta?.output).toMatch(/Non-deterministic/);
    flip = false;
  });

  it('records an orchestrator exception as a failed instance with its message', async () => {
    const host = engine();
    await host.startNew('toyThrowing', 'throw-1', undefined);
    await host.drain();
    const meta = await host.getMeta('throw-1');
    expect(meta?.status).toBe('Failed');
    expect(meta?.output).toContain('the orchestrator gave up');
  });

  it('restarts the instance with fresh history on continue-as-new', async () => {
    const host = engine();
    await host.startNew('toyLooping', 'loop-1', 1);
    await host.drain();
    expect(calls).toEqual(['greet:round 1', 'greet:round 2', 'greet:round 3']);
    const meta = await host.getMeta('loop-1');
    expect(meta).toMatchObject({ status: 'Completed', output: '3' });
    expect((await host.getHistory('loop-1'))?.length).toBeLessThan(10);
  });

  it('terminates a running instance and drops its pending work', async () => {
    const host = engine();
    await host.startNew('toyOrchestrator', 'term-1', { name: 'z' });
    await host.drain();
    expect(await host.terminate('term-1', 'no longer needed')).toBe('accepted');
    await host.drain();
    expect(await host.getMeta('term-1')).toMatchObject({
      status: 'Terminated',
      output: '"no longer needed"',
    });
    expect(host.nextTimerAt()).toBeUndefined();
    expect(await host.raiseEvent('term-1', 'approve', true)).toBe('gone');
  });

  it('says plainly that it does not run sub-orchestrations', async () => {
    const host = engine();
    await host.startNew('toySubOrchestrating', 'sub-1', undefined);
    await host.drain();
    expect((await host.getMeta('sub-1'))?.output).toMatch(/does not support/);
  });

  it('refuses instance ids that cannot be storage keys', async () => {
    await expect(engine().startNew('toyOrchestrator', 'a/b', {})).rejects.toThrow(/Instance id/);
  });
});
