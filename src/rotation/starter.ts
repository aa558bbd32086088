import type * as df from 'durable-functions';

import type { RollbackInput, RotationInput } from './contracts';
import { Orchestrators } from './names';

export type StartOutcome = 'started' | 'already-running';

/** Starts workflow instances with deterministic ids; a duplicate start starts nothing. */
export interface WorkflowStarter {
  startRotation(input: RotationInput): Promise<StartOutcome>;
  startRollback(input: RollbackInput): Promise<StartOutcome>;
}

const ACTIVE = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);

/**
 * The documented singleton pattern: look the instance up, start it only when it is absent or
 * finished. The Durable extension may still race two starters; the rotation's lock (taken in its
 * plan step with the state row's ETag) keeps the second from doing anything.
 */
export function durableStarter(client: df.DurableClient): WorkflowStarter {
  const start = async (orchestrator: string, instanceId: string, input: unknown): Promise<StartOutcome> => {
    const existing = await runtimeStatusOf(client, instanceId);
    if (existing !== undefined && ACTIVE.has(existing)) return 'already-running';
    try {
      await client.startNew(orchestrator, { instanceId, input });
      return 'started';
    } catch (error) {
      if (/409/.test(error instanceof Error ? error.message : String(error))) return 'already-running';
      throw error;
    }
  };
  return {
    startRotation: (input) => start(Orchestrators.Rotate, input.rotationId, input),
    startRollback: (input) => start(Orchestrators.Rollback, input.rollbackId, input),
  };
}

/** An instance's runtime status, or undefined when the task hub does not know it. */
export async function runtimeStatusOf(
  client: df.DurableClient,
  instanceId: string,
): Promise<string | undefined> {
  try {
    return (await client.getStatus(instanceId, { showInput: false })).runtimeStatus;
  } catch (error) {
    // durable-functions v3 throws on an unknown instance rather than returning undefined.
    if (/404/.test(error instanceof Error ? error.message : String(error))) return undefined;
    throw error;
  }
}
