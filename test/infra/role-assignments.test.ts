import { beforeAll, describe, expect, it } from 'vitest';

import {
  type ArmTemplate,
  at,
  type JsonObject,
  moduleTemplate,
  resource,
  resourcesOf,
  text,
} from './support/arm';
import { BICEP_SETUP_TIMEOUT_MS, bicepTestsEnabled, compiledMainTemplate, getBicep } from './support/bicep';

// The expected built-in role ids, written out independently of infra/roles.json so that a typo
// there fails here. Source: Azure built-in roles reference.
const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  appConfigurationDataOwner: '5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b',
  websiteContributor: 'de139f84-1756-47ae-9be6-808fbbe84772',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  storageAccountKeyOperatorServiceRole: '81a9662b-bebf-436f-a333-f67b29880f12',
  cognitiveServicesContributor: '25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68',
  apiManagementServiceContributor: '312a565d-c81f-4fd8-895a-4e21e48d571c',
} as const;

/** Parameter of main.bicep → kind of managed resource → resource type scoped → role it gets. */
const managedKinds = [
  ['keyVaultIds', 'keyVault', 'Microsoft.KeyVault/vaults', ROLE.keyVaultSecretsOfficer],
  [
    'appConfigurationStoreIds',
    'appConfigurationStore',
    'Microsoft.AppConfiguration/configurationStores',
    ROLE.appConfigurationDataOwner,
  ],
  ['siteIds', 'site', 'Microsoft.Web/sites', ROLE.websiteContributor],
  ['staticSiteIds', 'staticSite', 'Microsoft.Web/staticSites', ROLE.contributor],
  [
    'storageAccountIds',
    'storageAccount',
    'Microsoft.Storage/storageAccounts',
    ROLE.storageAccountKeyOperatorServiceRole,
  ],
  [
    'cognitiveServicesAccountIds',
    'cognitiveServicesAccount',
    'Microsoft.CognitiveServices/accounts',
    ROLE.cognitiveServicesContributor,
  ],
  [
    'apiManagementServiceIds',
    'apiManagementService',
    'Microsoft.ApiManagement/service',
    ROLE.apiManagementServiceContributor,
  ],
] as const;

interface RolesFile {
  builtInRoles: Record<string, string>;
  managedResourceRoles: Record<string, string>;
}

/** The content of infra/roles.json as inlined by loadJsonContent into a compiled module. */
function inlinedRoles(template: ArmTemplate): RolesFile {
  const variables = template.variables ?? {};
  const reference = /^\[variables\('(.+)'\)(\.builtInRoles)?\]$/.exec(text(variables.roles));
  if (!reference) throw new Error(`unexpected roles variable: ${text(variables.roles)}`);
  const content = variables[reference[1]!] as unknown as RolesFile;
  return reference[2] ? ({ builtInRoles: content.builtInRoles } as RolesFile) : content;
}

function roleIdsOf(template: ArmTemplate, expression: string): string[] {
  const roles = inlinedRoles(template).builtInRoles;
  return [...expression.matchAll(/variables\('roles'\)\.(\w+)/g)].map(
    (match) => roles[match[1]!] ?? match[1]!,
  );
}

describe.runIf(bicepTestsEnabled())('role assignments', () => {
  let template: ArmTemplate;

  beforeAll(() => {
    template = compiledMainTemplate(getBicep());
  }, BICEP_SETUP_TIMEOUT_MS);

  describe("keyturn's own resources", () => {
    it('grants the app identity Blob Data Owner, Queue Data Contributor and Table Data Contributor on host storage', () => {
      const storage = moduleTemplate(template, 'storage');
      expect(roleIdsOf(storage, JSON.stringify(storage.variables?.appRoleIds))).toEqual([
        ROLE.storageBlobDataOwner,
        ROLE.storageQueueDataContributor,
        ROLE.storageTableDataContributor,
      ]);
      const assignments = resource(storage, 'appRoleAssignments');
      expect(assignments.copy?.count).toBe("[length(variables('appRoleIds'))]");
      expect(assignments.scope).toBe("[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]");
      expect(assignments.properties?.principalId).toBe("[parameters('appPrincipalId')]");
    });

    it('grants the optional developer principal read access to the tables only', () => {
      const storage = moduleTemplate(template, 'storage');
      const reader = resource(storage, 'readerRoleAssignment');
      expect(reader.condition).toBe("[not(empty(parameters('readerPrincipalId')))]");
      expect(roleIdsOf(storage, text(reader.properties?.roleDefinitionId))).toEqual([
        ROLE.storageTableDataReader,
      ]);
    });

    it('grants Monitoring Metrics Publisher on Application Insights, for Entra ID ingestion', () => {
      const monitoring = moduleTemplate(template, 'monitoring');
      const assignment = resource(monitoring, 'publisherRoleAssignment');
      expect(roleIdsOf(monitoring, text(assignment.properties?.roleDefinitionId))).toEqual([
        ROLE.monitoringMetricsPublisher,
      ]);
      expect(assignment.scope).toBe(
        "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]",
      );
    });

    it("grants Key Vault Secrets Officer on keyturn's own vault, where the app creates its master key", () => {
      const keyVault = moduleTemplate(template, 'keyVault');
      const assignment = resource(keyVault, 'secretsOfficer');
      expect(roleIdsOf(keyVault, text(assignment.properties?.roleDefinitionId))).toEqual([
        ROLE.keyVaultSecretsOfficer,
      ]);
      expect(assignment.scope).toBe("[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]");
    });
  });

  describe('managed targets and issuers', () => {
    it.each(managedKinds)('passes %s through as resources of kind %s', (parameter, kind) => {
      const passed = resource(template, 'managedResources').properties?.parameters as JsonObject;
      expect(at(passed, parameter, 'value')).toBe(`[parameters('${parameter}')]`);
      expect(template.parameters?.[parameter]?.defaultValue).toEqual([]);
      const rbac = moduleTemplate(template, 'managedResources');
      expect(text(rbac.variables?.managedResources)).toContain(
        `map(parameters('${parameter}'), lambda('id', createObject('kind', '${kind}', 'id', lambdaVariables('id'))))`,
      );
    });

    it.each(managedKinds)(
      'grants %s (kind %s, %s) exactly the role %s',
      (_parameter, kind, _type, roleId) => {
        const roles = inlinedRoles(moduleTemplate(template, 'managedResources'));
        expect(roles.builtInRoles[roles.managedResourceRoles[kind]!]).toBe(roleId);
      },
    );

    it('looks the role up by kind from roles.json, unless a custom role is given for Static Web Apps', () => {
      const assignment = resource(moduleTemplate(template, 'managedResources'), 'assignment');
      const parameters = assignment.properties?.parameters as JsonObject;
      expect(parameters.roleDefinitionId).toBe(
        "[if(and(equals(variables('managedResources')[copyIndex()].kind, 'staticSite'), not(empty(parameters('staticSiteRoleDefinitionId')))), createObject('value', parameters('staticSiteRoleDefinitionId')), createObject('value', variables('roles').builtInRoles[variables('roles').managedResourceRoles[variables('managedResources')[copyIndex()].kind]]))]",
      );
      expect(template.parameters?.staticSiteRoleDefinitionId?.defaultValue).toBe('');
    });

    it("deploys each assignment into the managed resource's own subscription and resource group", () => {
      const assignment = resource(
        moduleTemplate(template, 'managedResources'),
        'assignment',
      ) as unknown as JsonObject;
      expect(assignment.subscriptionId).toBe(
        "[split(variables('managedResources')[copyIndex()].id, '/')[2]]",
      );
      expect(assignment.resourceGroup).toBe("[split(variables('managedResources')[copyIndex()].id, '/')[4]]");
    });

    it.each(managedKinds)(
      'scopes the %s assignment (kind %s) to the single %s, named by scope, principal and role',
      (_parameter, kind, type) => {
        const inner = moduleTemplate(moduleTemplate(template, 'managedResources'), 'assignment');
        const assignments = Object.values(resourcesOf(inner)).filter(
          (r) =>
            r.type === 'Microsoft.Authorization/roleAssignments' &&
            r.condition === `[equals(parameters('kind'), '${kind}')]`,
        );
        expect(assignments).toHaveLength(1);
        const [assignment] = assignments;
        const scope = `resourceId('${type}', parameters('resourceName'))`;
        expect(assignment!.scope).toBe(`[${scope}]`);
        expect(assignment!.name).toBe(
          `[guid(${scope}, parameters('principalId'), parameters('roleDefinitionId'))]`,
        );
        expect(assignment!.properties?.principalType).toBe('ServicePrincipal');
        expect(assignment!.properties?.roleDefinitionId).toBe("[variables('roleId')]");
        expect(inner.variables?.roleId).toBe(
          "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', parameters('roleDefinitionId'))]",
        );
      },
    );
  });
});
