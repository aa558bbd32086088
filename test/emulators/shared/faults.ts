import type { EmulatorRequest, Reply } from './http';

/** Which requests a fault applies to. Every given criterion must hold. */
export interface RequestMatcher {
  /** One method or several, upper case. */
  readonly method?: string | readonly string[];
  /** A substring of the decoded path (case-insensitive) or a pattern tested against it. */
  readonly path?: string | RegExp;
  /** Only requests that change state (what counts as a write is each emulator's call). */
  readonly writes?: boolean;
}

/**
 * What a fault does to a matching request.
 * - `reply`: answer with this response instead of the real one; the request is not applied.
 * - `reset`: destroy the connection, before applying the request or after applying it.
 * - `hang`: never answer (the client's timeout or abort fires), before or after applying it.
 * - `interleave`: run a state change first (another writer racing the client), then serve normally.
 */
export type FaultAction =
  | { readonly kind: 'reply'; readonly reply: Reply; readonly name: string }
  | { readonly kind: 'reset'; readonly afterApply: boolean }
  | { readonly kind: 'hang'; readonly afterApply: boolean }
  | { readonly kind: 'interleave'; readonly run: () => void };

/** A live fault. `reached` resolves the first time a request hits it. */
export interface FaultHandle {
  readonly hits: number;
  readonly remaining: number;
  readonly reached: Promise<void>;
  cancel(): void;
}

interface Rule {
  readonly match: RequestMatcher;
  readonly action: FaultAction;
  remaining: number;
  hits: number;
  readonly onReached: () => void;
}

/** Holds injected faults and hands the first matching one to each incoming request. */
export class FaultInjector {
  private rules: Rule[] = [];

  constructor(private readonly isWrite: (request: EmulatorRequest) => boolean) {}

  add(match: RequestMatcher, action: FaultAction, times = 1): FaultHandle {
    let onReached: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      onReached = resolve;
    });
    const rule: Rule = { match, action, remaining: times, hits: 0, onReached };
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      get remaining() {
        return rule.remaining;
      },
      reached,
      cancel: () => {
        this.rules = this.rules.filter((candidate) => candidate !== rule);
      },
    };
  }

  /** The action for this request, consuming one use of the first matching fault. */
  take(request: EmulatorRequest): FaultAction | undefined {
    const rule = this.rules.find(
      (candidate) => candidate.remaining > 0 && this.matches(candidate.match, request),
    );
    if (!rule) {
      return undefined;
    }
    rule.remaining -= 1;
    rule.hits += 1;
    if (rule.remaining <= 0) {
      this.rules = this.rules.filter((candidate) => candidate !== rule);
    }
    rule.onReached();
    return rule.action;
  }

  clear(): void {
    this.rules = [];
  }

  private matches(match: RequestMatcher, request: EmulatorRequest): boolean {
    if (match.method !== undefined) {
      const methods = typeof match.method === 'string' ? [match.method] : match.method;
      if (!methods.includes(request.method)) {
        return false;
      }
    }
    if (match.path !== undefined) {
      const path = decodeURIComponent(request.rawPath);
      const hit =
        typeof match.path === 'string'
          ? path.toLowerCase().includes(match.path.toLowerCase())
          : match.path.test(path);
      if (!hit) {
        return false;
      }
    }
    return match.writes === undefined || match.writes === this.isWrite(request);
  }
}

export interface FaultScope {
  /** Which requests; every request when omitted. */
  readonly match?: RequestMatcher;
  /** How many matching requests the fault affects (default 1; `Infinity` for all). */
  readonly times?: number;
}

export interface ThrottleOptions extends FaultScope {
  /** `Retry-After` in seconds (default 0, so SDK retries do not stall tests). */
  readonly retryAfterSeconds?: number;
  /** `retry-after-ms`, for services that send it (App Configuration). */
  readonly retryAfterMs?: number;
}

export interface ServerErrorOptions extends FaultScope {
  readonly retryAfterSeconds?: number;
  readonly retryAfterMs?: number;
}

export interface TimeoutOptions extends FaultScope {
  /** `hang` holds the response forever; `reset` destroys the connection at once. Default `hang`. */
  readonly mode?: 'hang' | 'reset';
  /**
   * Apply the request before failing it (default false). This is the indeterminate outcome: the
   * service did the work but the client never heard back.
   */
  readonly afterApply?: boolean;
}

/** How one service shapes its throttling and server-error responses. */
export interface FaultReplies {
  throttled(options: ThrottleOptions): Reply;
  serverError(status: number, options: ServerErrorOptions): Reply;
}

/** The fault-injection API common to every emulator (`control.faults`). */
export class FaultControls {
  constructor(
    protected readonly injector: FaultInjector,
    private readonly replies: FaultReplies,
  ) {}

  /** 429 in the service's own shape, with `Retry-After` (and `retry-after-ms` where the service sends it). */
  throttle(options: ThrottleOptions = {}): FaultHandle {
    return this.injector.add(
      options.match ?? {},
      { kind: 'reply', reply: this.replies.throttled(options), name: 'throttle' },
      options.times,
    );
  }

  /** A 5xx in the service's own shape (default 503). */
  serverError(status = 503, options: ServerErrorOptions = {}): FaultHandle {
    return this.injector.add(
      options.match ?? {},
      { kind: 'reply', reply: this.replies.serverError(status, options), name: `status-${status}` },
      options.times,
    );
  }

  /** A request that never gets an answer, or whose connection is dropped. */
  timeout(options: TimeoutOptions = {}): FaultHandle {
    const afterApply = options.afterApply ?? false;
    const action: FaultAction =
      options.mode === 'reset' ? { kind: 'reset', afterApply } : { kind: 'hang', afterApply };
    return this.injector.add(options.match ?? {}, action, options.times);
  }

  /** Runs `change` just before the next matching request (by default the next write) is served. */
  interleave(change: () => void, options: FaultScope = {}): FaultHandle {
    return this.injector.add(
      options.match ?? { writes: true },
      { kind: 'interleave', run: change },
      options.times,
    );
  }

  /** Any other fault. */
  inject(match: RequestMatcher, action: FaultAction, times = 1): FaultHandle {
    return this.injector.add(match, action, times);
  }

  clear(): void {
    this.injector.clear();
  }
}

export function retryHeaders(options: {
  retryAfterSeconds?: number;
  retryAfterMs?: number;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined || options.retryAfterMs === undefined) {
    headers['Retry-After'] = String(options.retryAfterSeconds ?? 0);
  }
  if (options.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(options.retryAfterMs);
  }
  return headers;
}
