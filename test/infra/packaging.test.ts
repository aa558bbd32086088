import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { settingsSchema } from '../../src/config/settings';
import { type ArmResource, type ArmTemplate, at, type Json, resource, single, text } from './support/arm';
import {
  BICEP_SETUP_TIMEOUT_MS,
  bicepTestsEnabled,
  compiledMainTemplate,
  getBicep,
  readRepoFile,
  readRepoJson,
} from './support/bicep';

/** Settings of src/config/settings.ts that only the standalone host uses. */
const LOCAL_ONLY_SETTINGS = new Set(['KEYTURN_MASTER_KEY_FILE']);

/** App settings that Flex Consumption replaced with functionAppConfig (or never supported). */
const FLEX_REJECTED_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_TIME_ZONE',
];

function appSettingNames(site: ArmResource): string[] {
  const list = at(site.properties, 'siteConfig', 'appSettings');
  return Array.isArray(list) ? list.map((entry) => text(at(entry, 'name'))) : [];
}

describe('azd packaging', () => {
  it('declares the api service as a TypeScript Functions project at the repository root', () => {
    const azure = parse(readRepoFile('azure.yaml')) as {
      name: string;
      infra?: { path?: string; module?: string };
      services: Record<string, { project: string; language: string; host: string }>;
    };
    expect(azure.services.api).toMatchObject({ project: '.', language: 'ts', host: 'function' });
    expect(azure.infra?.path ?? 'infra').toBe('infra');
    expect(azure.infra?.module ?? 'main').toBe('main');
  });

  it('fills environment name, location and principal from azd placeholders', () => {
    const parameters = readRepoJson<{ parameters: Record<string, { value: Json }> }>(
      'infra/main.parameters.json',
    );
    expect(parameters.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(parameters.parameters.principalId?.value).toBe('${AZURE_PRINCIPAL_ID}');
  });
});

describe.runIf(bicepTestsEnabled())('deployment template packaging', () => {
  let template: ArmTemplate;
  let site: ArmResource;

  beforeAll(() => {
    template = compiledMainTemplate(getBicep());
    site = single(template, 'Microsoft.Web/sites');
  }, BICEP_SETUP_TIMEOUT_MS);

  it('gives every parameter a default, so that the Deploy to Azure button needs no input', () => {
    for (const [name, parameter] of Object.entries(template.parameters ?? {})) {
      expect(parameter.defaultValue, name).toBeDefined();
    }
  });

  it('accepts in main.parameters.json only parameters that main.bicep declares', () => {
    const parameters = readRepoJson<{ parameters: Record<string, unknown> }>('infra/main.parameters.json');
    for (const name of Object.keys(parameters.parameters)) {
      expect(Object.keys(template.parameters ?? {}), name).toContain(name);
    }
  });

  it('creates its resource group, tagged with the azd environment name', () => {
    const group = resource(template, 'rg');
    expect(group.type).toBe('Microsoft.Resources/resourceGroups');
    expect(at(template.variables, 'tags', 'azd-env-name')).toBe("[parameters('environmentName')]");
  });

  it('tags the function app azd-service-name: api, the key of the service in azure.yaml', () => {
    expect(site.tags).toBe(
      "[union(parameters('tags'), createObject('azd-service-name', parameters('serviceName')))]",
    );
    expect(at(resource(template, 'functionApp').properties, 'parameters', 'serviceName', 'value')).toBe(
      'api',
    );
  });

  it('sets every app setting the code reads from src/config/settings.ts (except local-only ones)', () => {
    const names = appSettingNames(site);
    for (const setting of Object.keys(settingsSchema.shape)) {
      if (LOCAL_ONLY_SETTINGS.has(setting)) expect(names).not.toContain(setting);
      else expect(names).toContain(setting);
    }
  });

  it('sets the Functions and Durable settings: task hub, telemetry and the identity client id', () => {
    expect(appSettingNames(site)).toEqual(
      expect.arrayContaining([
        'TASKHUB_NAME',
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
        'AZURE_CLIENT_ID',
        'KEYTURN_MASTER_KEY_VAULT_URL',
      ]),
    );
  });

  it('sets no app setting that the Flex Consumption plan rejects', () => {
    const names = appSettingNames(site);
    for (const rejected of FLEX_REJECTED_SETTINGS) expect(names).not.toContain(rejected);
  });

  it('outputs what azd and operators need, and nothing secret', () => {
    expect(Object.keys(template.outputs ?? {})).toEqual(
      expect.arrayContaining([
        'AZURE_LOCATION',
        'AZURE_TENANT_ID',
        'AZURE_RESOURCE_GROUP',
        'SERVICE_API_NAME',
        'AZURE_FUNCTION_APP_NAME',
        'KEYTURN_MASTER_KEY_VAULT_URL',
      ]),
    );
  });

  it('documents the Deploy to Azure button for azuredeploy.json', () => {
    const doc = readRepoFile('docs/deployment.md');
    expect(doc).toContain('https://aka.ms/deploytoazurebutton');
    expect(doc).toMatch(
      /https:\/\/portal\.azure\.com\/#create\/Microsoft\.Template\/uri\/[^)\s]*azuredeploy\.json/,
    );
  });
});
