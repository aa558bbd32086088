import { beforeAll, describe, expect, it } from 'vitest';

import {
  allResources,
  allStrings,
  type ArmResource,
  type ArmTemplate,
  at,
  deployedOfType,
  type Json,
  single,
  text,
} from './support/arm';
import { BICEP_SETUP_TIMEOUT_MS, bicepTestsEnabled, compiledMainTemplate, getBicep } from './support/bicep';

function appSettings(site: ArmResource): Map<string, Json> {
  const list = at(site.properties, 'siteConfig', 'appSettings');
  if (!Array.isArray(list)) throw new Error('the function app declares no app settings list');
  return new Map(list.map((entry) => [text(at(entry, 'name')), at(entry, 'value') ?? null]));
}

// Secrets must never be read into the template: no list*() calls (listKeys, listSecrets,
// listConnectionStrings...), and no key material in connection strings.
const secretPatterns = [
  /\blist[A-Za-z]*\s*\(/i,
  /AccountKey=/i,
  /SharedAccessSignature=/i,
  /InstrumentationKey=/i,
];

describe.runIf(bicepTestsEnabled())('security of the compiled template', () => {
  let template: ArmTemplate;
  let site: ArmResource;

  beforeAll(() => {
    template = compiledMainTemplate(getBicep());
    site = single(template, 'Microsoft.Web/sites');
  }, BICEP_SETUP_TIMEOUT_MS);

  describe('function app', () => {
    it('serves HTTPS only, with TLS 1.2 at least and FTPS disabled', () => {
      expect(site.properties?.httpsOnly).toBe(true);
      expect(at(site.properties, 'siteConfig', 'minTlsVersion')).toBe('1.2');
      expect(at(site.properties, 'siteConfig', 'scmMinTlsVersion')).toBe('1.2');
      expect(at(site.properties, 'siteConfig', 'ftpsState')).toBe('Disabled');
    });

    it('runs on the Flex Consumption plan with Node.js 20', () => {
      const plan = single(template, 'Microsoft.Web/serverfarms');
      expect(plan.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
      expect(at(plan.properties, 'reserved')).toBe(true);
      expect(site.kind).toBe('functionapp,linux');
      expect(at(site.properties, 'functionAppConfig', 'runtime')).toEqual({ name: 'node', version: '20' });
    });

    it('runs as a user-assigned identity only', () => {
      expect(at(site.identity, 'type')).toBe('UserAssigned');
    });

    it('pulls its deployment package with the user-assigned identity, not a key', () => {
      const storage = at(site.properties, 'functionAppConfig', 'deployment', 'storage');
      expect(at(storage, 'type')).toBe('blobContainer');
      expect(at(storage, 'authentication', 'type')).toBe('UserAssignedIdentity');
      expect(at(storage, 'authentication', 'storageAccountConnectionStringName')).toBeUndefined();
    });

    it('connects to host storage by identity: service URIs, managedidentity credential and client id', () => {
      const settings = appSettings(site);
      expect(settings.has('AzureWebJobsStorage')).toBe(false);
      expect(settings.get('AzureWebJobsStorage__credential')).toBe('managedidentity');
      expect(settings.get('AzureWebJobsStorage__clientId')).toBe("[parameters('identityClientId')]");
      for (const service of ['blob', 'queue', 'table']) {
        expect(settings.get(`AzureWebJobsStorage__${service}ServiceUri`)).toBe(
          `[reference('storage').primaryEndpoints.${service}]`,
        );
      }
      expect(settings.get('KEYTURN_STORAGE_CONNECTION')).toBe('AzureWebJobsStorage');
      expect(settings.get('AZURE_CLIENT_ID')).toBe("[parameters('identityClientId')]");
    });

    it('sends telemetry with Entra ID authentication', () => {
      const settings = appSettings(site);
      expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
        "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
      );
    });

    it('holds no storage key, SAS or other secret in any app setting', () => {
      for (const [name, value] of appSettings(site)) {
        for (const found of allStrings(value)) {
          for (const pattern of secretPatterns) {
            expect(found, `${name} matches ${String(pattern)}`).not.toMatch(pattern);
          }
        }
      }
    });
  });

  describe('storage account', () => {
    it('disables shared-key access and blob public access, and requires TLS 1.2 over HTTPS', () => {
      const storage = single(template, 'Microsoft.Storage/storageAccounts');
      expect(storage.properties?.allowSharedKeyAccess).toBe(false);
      expect(storage.properties?.allowBlobPublicAccess).toBe(false);
      expect(storage.properties?.minimumTlsVersion).toBe('TLS1_2');
      expect(storage.properties?.supportsHttpsTrafficOnly).toBe(true);
      expect(storage.properties?.defaultToOAuthAuthentication).toBe(true);
    });

    it('creates the Flex deployment container without public access', () => {
      const container = single(template, 'Microsoft.Storage/storageAccounts/blobServices/containers');
      expect(at(container.properties, 'publicAccess')).toBe('None');
    });
  });

  describe('monitoring', () => {
    it('disables local (key) authentication on Application Insights and Log Analytics', () => {
      const component = single(template, 'Microsoft.Insights/components');
      expect(component.properties?.DisableLocalAuth).toBe(true);
      const workspace = single(template, 'Microsoft.OperationalInsights/workspaces');
      expect(at(workspace.properties, 'features', 'disableLocalAuth')).toBe(true);
    });
  });

  describe("keyturn's own key vault", () => {
    it('uses RBAC authorisation with soft delete and purge protection, and no access policies', () => {
      const vault = single(template, 'Microsoft.KeyVault/vaults');
      expect(vault.properties?.enableRbacAuthorization).toBe(true);
      expect(vault.properties?.enableSoftDelete).toBe(true);
      expect(vault.properties?.enablePurgeProtection).toBe(true);
      expect(vault.properties?.softDeleteRetentionInDays).toBe(90);
      expect(vault.properties?.accessPolicies).toBeUndefined();
      expect(vault.properties?.enabledForTemplateDeployment).toBe(false);
    });
  });

  describe('the template as a whole', () => {
    it('never reads keys or secrets: no list*() function and no key in any expression', () => {
      for (const { symbol, resource, modulePath } of allResources(template)) {
        if (resource.type === 'Microsoft.Resources/deployments') continue;
        for (const found of allStrings(resource as unknown as Json)) {
          for (const pattern of secretPatterns) {
            expect(found, `${[...modulePath, symbol].join('/')} matches ${String(pattern)}`).not.toMatch(
              pattern,
            );
          }
        }
      }
    });

    it('outputs no secrets: no list*() call, connection string or key in any output', () => {
      const outputs = Object.entries(template.outputs ?? {});
      expect(outputs.length).toBeGreaterThan(0);
      for (const [name, output] of outputs) {
        expect(name).not.toMatch(/key$|secret|password|connection/i);
        for (const found of allStrings(output.value)) {
          expect(found, name).not.toMatch(/\blist[A-Za-z]*\s*\(|ConnectionString|InstrumentationKey/i);
        }
      }
    });

    it('declares no secure parameter, because nothing secret is passed in', () => {
      for (const [name, parameter] of Object.entries(template.parameters ?? {})) {
        expect(parameter.type, name).not.toMatch(/^secure/i);
      }
    });

    it('assigns every role to a principal of a declared type, named by scope, principal and role', () => {
      const assignments = deployedOfType(template, 'Microsoft.Authorization/roleAssignments');
      expect(assignments.length).toBeGreaterThan(0);
      for (const { symbol, resource } of assignments) {
        expect(resource.name, symbol).toMatch(/^\[guid\(.+, parameters\('\w*[pP]rincipalId'\), .+\)\]$/);
        expect(['ServicePrincipal', "[parameters('readerPrincipalType')]"], symbol).toContain(
          resource.properties?.principalType,
        );
      }
    });
  });
});
