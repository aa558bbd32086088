import type { WebSiteManagementClient } from '@azure/arm-appservice';

import type { SecretValue } from '../../../core/secret';
import { armRequest } from '../../azure/arm';
import type { AzureContext } from '../../azure/context';
import { azureError, statusOf } from '../../azure/errors';
import { nameOf, type ResourceId } from '../../azure/resource-id';

/** How App Service resolved a Key Vault reference setting the last time it (re)read it. */
export interface ReferenceStatus {
  readonly status: string | undefined;
  readonly activeVersion: string | undefined;
}

/**
 * One application settings collection. `replace` replaces the whole collection (the only write ARM
 * offers, with no ETag); the reference calls exist for sites and slots, not static sites.
 */
export interface AppSettingsApi {
  /** What the collection belongs to, for messages. */
  readonly resource: string;
  list(): Promise<Record<string, string>>;
  /** `secrets` are blanked out of any error message. */
  replace(settings: Record<string, string>, secrets?: readonly SecretValue[]): Promise<void>;
  referenceStatus?(setting: string): Promise<ReferenceStatus | undefined>;
  /** Makes the app re-read its Key Vault references now, without a restart. */
  refreshReferences?(): Promise<void>;
}

export type WebClient = Pick<WebSiteManagementClient, 'pipeline'> & {
  readonly webApps: Pick<
    WebSiteManagementClient['webApps'],
    | 'listApplicationSettings'
    | 'listApplicationSettingsSlot'
    | 'updateApplicationSettings'
    | 'updateApplicationSettingsSlot'
    | 'getAppSettingKeyVaultReference'
    | 'getAppSettingKeyVaultReferenceSlot'
  >;
  readonly staticSites: Pick<
    WebSiteManagementClient['staticSites'],
    'listStaticSiteAppSettings' | 'createOrUpdateStaticSiteAppSettings'
  >;
};

/**
 * The documented refresh of Key Vault references ("Use Key Vault references", section Rotation):
 * it re-reads every reference of the app without restarting it. The SDK has no method for it.
 */
const REFRESH_API_VERSION = '2022-03-01';

async function call<T>(
  action: string,
  resource: string,
  work: () => Promise<T>,
  secrets: readonly SecretValue[] = [],
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw azureError(error, action, resource, secrets);
  }
}

export function siteSettingsApi(web: WebClient, azure: AzureContext, id: ResourceId): AppSettingsApi {
  const site = nameOf(id, 'sites') ?? '';
  const slot = nameOf(id, 'slots');
  const group = id.resourceGroup;
  const resource = `app settings of ${slot === undefined ? `site ${site}` : `slot ${slot} of site ${site}`} (${id.id})`;
  return {
    resource,
    list: () =>
      call('read', resource, async () => {
        const dictionary =
          slot === undefined
            ? await web.webApps.listApplicationSettings(group, site)
            : await web.webApps.listApplicationSettingsSlot(group, site, slot);
        return { ...dictionary.properties };
      }),
    replace: (settings) =>
      call('write', resource, async () => {
        if (slot === undefined)
          await web.webApps.updateApplicationSettings(group, site, { properties: settings });
        else await web.webApps.updateApplicationSettingsSlot(group, site, slot, { properties: settings });
      }),
    referenceStatus: (setting) =>
      call('read the Key Vault reference status of', resource, async () => {
        try {
          const reference =
            slot === undefined
              ? await web.webApps.getAppSettingKeyVaultReference(group, site, setting)
              : await web.webApps.getAppSettingKeyVaultReferenceSlot(group, site, setting, slot);
          return { status: reference.status, activeVersion: reference.activeVersion };
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),
    refreshReferences: () =>
      call('refresh the Key Vault references of', resource, async () => {
        await armRequest(web.pipeline, azure, {
          method: 'POST',
          path: `${id.id}/config/configreferences/appsettings/refresh`,
          apiVersion: REFRESH_API_VERSION,
        });
      }),
  };
}

export function staticSiteSettingsApi(web: WebClient, id: ResourceId): AppSettingsApi {
  const name = nameOf(id, 'staticSites') ?? '';
  const group = id.resourceGroup;
  const resource = `app settings of static site ${name} (${id.id})`;
  return {
    resource,
    list: () =>
      call('read', resource, async () => ({
        ...(await web.staticSites.listStaticSiteAppSettings(group, name)).properties,
      })),
    replace: (settings, secrets) =>
      call(
        'write',
        resource,
        async () => {
          await web.staticSites.createOrUpdateStaticSiteAppSettings(group, name, { properties: settings });
        },
        secrets,
      ),
  };
}
