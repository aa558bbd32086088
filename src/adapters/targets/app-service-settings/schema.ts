import { z } from 'zod';

import { resourceIdSchema, type ResourceShape } from '../../azure/resource-id';

const siteName = {
  name: /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/i,
  rule: 'must be 1-60 letters, digits or dashes, not starting or ending with a dash',
};

export const SITE: ResourceShape = {
  label: 'a Web App or Function App (optionally a deployment slot)',
  namespace: 'Microsoft.Web',
  types: [
    { type: 'sites', ...siteName },
    { type: 'slots', ...siteName },
  ],
  optionalTail: 1,
};

export const STATIC_SITE: ResourceShape = {
  label: 'a Static Web App',
  namespace: 'Microsoft.Web',
  types: [
    {
      type: 'staticSites',
      name: /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/i,
      rule: 'must be 1-40 letters, digits or dashes',
    },
  ],
};

export const appServiceSettingsTargetSchema = z
  .object({
    kind: z.literal('app-service-settings'),
    /**
     * ARM id of a site (`…/providers/Microsoft.Web/sites/<app>`, `…/sites/<app>/slots/<slot>`) or a
     * static site (`…/providers/Microsoft.Web/staticSites/<app>`).
     */
    resourceId: resourceIdSchema([SITE, STATIC_SITE]),
    /** Application setting name, as App Service accepts on every platform. */
    setting: z
      .string()
      .regex(
        /^[A-Za-z0-9_.]{1,256}$/,
        'must be 1-256 letters, digits, periods or underscores (an app setting name)',
      ),
  })
  .strict();

export type AppServiceSettingsTargetConfig = z.infer<typeof appServiceSettingsTargetSchema>;
