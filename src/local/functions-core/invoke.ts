import { randomUUID } from 'node:crypto';

import type { FunctionRegistry } from './registry';
import type { RpcBindingInfo, RpcLogLevel, RpcParameterBinding, RpcTypedData } from './types';

export interface InvocationLog {
  readonly functionName: string;
  readonly invocationId: string;
  readonly level: RpcLogLevel;
  readonly category: string;
  readonly message: string;
}

/** What the host supplies to an invocation besides the trigger data. */
export interface InvocationHost {
  /** Data of a non-trigger input binding (the durable client, for instance). */
  readonly inputBinding: (binding: RpcBindingInfo) => RpcTypedData | undefined;
  readonly log: (entry: InvocationLog) => void;
}

export interface InvocationResult {
  readonly returnValue: RpcTypedData | null | undefined;
  readonly outputData: RpcParameterBinding[];
}

/**
 * Runs one function through the app's own programming model (argument conversion, invocation,
 * response conversion), the way the worker does for an RPC invocation request.
 */
export async function invokeRegisteredFunction(
  registry: FunctionRegistry,
  functionName: string,
  triggerData: RpcTypedData | undefined,
  host: InvocationHost,
): Promise<InvocationResult> {
  const fn = registry.get(functionName);
  const invocationId = randomUUID();
  const inputData: RpcParameterBinding[] = [{ name: fn.trigger.name, data: triggerData }];
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (name === fn.trigger.name || binding.direction !== 'in') continue;
    const data = host.inputBinding(binding);
    if (data === undefined) {
      throw new Error(
        `The local host cannot supply the "${binding.type ?? ''}" input of function "${functionName}".`,
      );
    }
    inputData.push({ name, data });
  }
  const log = host.log;
  const model = registry.programmingModel.getInvocationModel({
    invocationId,
    request: {
      invocationId,
      functionId: functionName,
      inputData,
    },
    metadata: fn.metadata,
    log: (level, category, message) => {
      log({ functionName, invocationId, level, category, message });
    },
  });
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, fn.callback);
  const response = await model.getResponse(context, result);
  return { returnValue: response.returnValue, outputData: response.outputData ?? [] };
}

/** Converts worker typed data back to the value it carries (JSON is parsed). */
export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.json != null) return JSON.parse(data.json) as unknown;
  if (data.string != null) return data.string;
  if (data.int != null) return data.int;
  if (data.double != null) return data.double;
  if (data.bytes != null) return Buffer.from(data.bytes);
  if (data.http != null) return data.http;
  return undefined;
}

export function jsonTypedData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value) };
}
