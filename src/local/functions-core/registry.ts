import type {
  Disposable,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcBindingInfo,
  RpcLogCategory,
  RpcLogLevel,
} from './types';

export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
  /** The binding whose type ends in "Trigger". */
  readonly trigger: RpcBindingInfo & { name: string; type: string };
}

export type SystemLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

/**
 * What the app registered through `@azure/functions`: its programming model, its functions and its
 * hooks. One per process, like the worker's, because the library remembers the core API it found.
 */
export class FunctionRegistry {
  #programmingModel: ProgrammingModel | undefined;
  readonly #functions = new Map<string, RegisteredFunction>();
  readonly #hooks = new Map<string, Set<HookCallback>>();
  systemLog: SystemLogSink = () => undefined;

  /** The API surface `@azure/functions` expects from the worker. */
  readonly coreApi = {
    // Versions the library checks before enabling newer features (log hooks, streaming).
    version: '3.10.1',
    hostVersion: '4.1037.0',
    setProgrammingModel: (model: ProgrammingModel): void => {
      this.#programmingModel = model;
    },
    getProgrammingModel: (): ProgrammingModel | undefined => this.#programmingModel,
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback): Disposable => {
      this.#register(metadata, callback);
      return { dispose: () => this.#functions.delete(metadata.name) };
    },
    registerHook: (hookName: string, callback: HookCallback): Disposable => {
      const set = this.#hooks.get(hookName) ?? new Set<HookCallback>();
      set.add(callback);
      this.#hooks.set(hookName, set);
      return { dispose: () => set.delete(callback) };
    },
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string): void => {
      this.systemLog(level, category, message);
    },
    Disposable: class {
      readonly #callOnDispose: () => void;
      constructor(callOnDispose: () => void) {
        this.#callOnDispose = callOnDispose;
      }
      dispose(): void {
        this.#callOnDispose();
      }
    },
  };

  get programmingModel(): ProgrammingModel {
    if (!this.#programmingModel) {
      throw new Error('No programming model registered: the app did not load @azure/functions.');
    }
    return this.#programmingModel;
  }

  get(name: string): RegisteredFunction {
    const fn = this.#functions.get(name);
    if (!fn) throw new Error(`Function "${name}" is not registered.`);
    return fn;
  }

  has(name: string): boolean {
    return this.#functions.has(name);
  }

  /** Registered functions whose trigger binding has the given type (case-insensitive). */
  byTrigger(type: string): RegisteredFunction[] {
    const wanted = type.toLowerCase();
    return [...this.#functions.values()].filter((fn) => fn.trigger.type.toLowerCase() === wanted);
  }

  all(): RegisteredFunction[] {
    return [...this.#functions.values()];
  }

  hooks(name: string): HookCallback[] {
    return [...(this.#hooks.get(name) ?? [])];
  }

  #register(metadata: FunctionMetadata, callback: FunctionCallback): void {
    if (this.#functions.has(metadata.name)) {
      throw new Error(`A function named "${metadata.name}" is already registered.`);
    }
    const entry = Object.entries(metadata.bindings).find(([, b]) => /trigger$/i.test(b.type ?? ''));
    if (!entry) throw new Error(`Function "${metadata.name}" has no trigger binding.`);
    const [name, binding] = entry;
    this.#functions.set(metadata.name, {
      metadata,
      callback,
      trigger: { ...binding, name, type: binding.type ?? '' },
    });
  }
}
