import {
  FaultControls,
  type FaultHandle,
  type FaultInjector,
  type FaultScope,
  retryHeaders,
} from '../shared/faults';
import { findStaticSettings, findWebApp, type StaticSiteRef, type WebAppRef } from './refs';
import { armError } from './responses';
import type { ArmStore } from './store';

/** ARM faults, plus concurrent writers of full-replace settings. */
export class ArmFaults extends FaultControls {
  constructor(
    injector: FaultInjector,
    private readonly store: ArmStore,
  ) {
    super(injector, {
      throttled: (options) => ({
        ...armError(
          429,
          'TooManyRequests',
          'The request is being throttled as the limit has been reached for this operation type.',
        ),
        headers: retryHeaders(options),
      }),
      serverError: (status, options) => ({
        ...armError(
          status,
          status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
          'Injected server error.',
        ),
        headers: options.retryAfterSeconds === undefined ? {} : retryHeaders(options),
      }),
    });
  }

  /**
   * Another writer changes settings of the app (null deletes) just before the client's next
   * `PUT config/appsettings` on it. App settings have no ETag, so a client that wrote what it read
   * earlier silently drops this change.
   */
  concurrentAppSettingChange(
    ref: WebAppRef,
    change: Record<string, string | null>,
    scope: FaultScope = {},
  ): FaultHandle {
    const app = findWebApp(this.store, ref);
    return this.interleave(
      () => {
        app.appSettings = applyChange(app.appSettings, change);
        this.store.record(`${app.id}/config/appsettings`, 'replace', 'control');
      },
      {
        match: scope.match ?? { method: 'PUT', path: `${app.id}/config/appsettings` },
        times: scope.times ?? 1,
      },
    );
  }

  /** The same race for a static site's app settings or Functions API settings. */
  concurrentStaticSiteSettingChange(
    ref: StaticSiteRef,
    which: 'appsettings' | 'functionappsettings',
    change: Record<string, string | null>,
    scope: FaultScope = {},
  ): FaultHandle {
    const { target, base } = findStaticSettings(this.store, ref);
    return this.interleave(
      () => {
        if (which === 'appsettings') {
          target.appSettings = applyChange(target.appSettings, change);
        } else {
          target.functionAppSettings = applyChange(target.functionAppSettings, change);
        }
        this.store.record(`${base}/config/${which}`, 'replace', 'control');
      },
      { match: scope.match ?? { method: 'PUT', path: `${base}/config/${which}` }, times: scope.times ?? 1 },
    );
  }
}

function applyChange(
  settings: Record<string, string>,
  change: Record<string, string | null>,
): Record<string, string> {
  const next = { ...settings };
  for (const [name, value] of Object.entries(change)) {
    if (value === null) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- settings are a plain name → value map
      delete next[name];
    } else {
      next[name] = value;
    }
  }
  return next;
}
