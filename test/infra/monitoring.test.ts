import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

import { RotationOutcome, TelemetryEvent } from '../../src/telemetry/events';
import {
  type ArmTemplate,
  at,
  deployedOfType,
  type Json,
  type JsonObject,
  moduleTemplate,
  resource,
  single,
  text,
} from './support/arm';
import {
  BICEP_SETUP_TIMEOUT_MS,
  bicepTestsEnabled,
  compiledMainTemplate,
  getBicep,
  readRepoFile,
  readRepoJson,
} from './support/bicep';

const WORKBOOK_FILE = 'templates/workbooks/rotation-overview.json';

/** Dimension names of RotationEventDimensions, read from the source of the event contract. */
function rotationDimensions(): Set<string> {
  const source = ts.createSourceFile(
    'events.ts',
    readRepoFile('src/telemetry/events.ts'),
    ts.ScriptTarget.ES2022,
  );
  const names = new Set<string>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'RotationEventDimensions') {
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && ts.isIdentifier(member.name)) names.add(member.name.text);
      }
    }
  });
  if (names.size === 0) throw new Error('RotationEventDimensions not found in src/telemetry/events.ts');
  return names;
}

const eventNames = new Set<string>(Object.values(TelemetryEvent));
const outcomes = new Set<string>([...Object.values(RotationOutcome), 'succeeded', 'error']);

/** Every KQL query in a workbook document (items nest inside groups). */
function workbookQueries(value: Json | undefined): string[] {
  if (Array.isArray(value)) return value.flatMap(workbookQueries);
  if (value !== null && typeof value === 'object') {
    const own = typeof value.query === 'string' ? [value.query] : [];
    return [
      ...own,
      ...Object.entries(value).flatMap(([key, inner]) => (key === 'query' ? [] : workbookQueries(inner))),
    ];
  }
  return [];
}

/** Asserts a query reads only the events, dimensions and outcome values that the code emits. */
function expectOnlyEmittedTelemetry(query: string): void {
  expect(query).toMatch(/^customEvents\b/);
  const referencedEvents = [...query.matchAll(/"(keyturn\.[\w.]+)"/g)].map((m) => m[1]!);
  expect(referencedEvents.length, query).toBeGreaterThan(0);
  for (const name of referencedEvents) expect(eventNames, query).toContain(name);
  const dimensions = rotationDimensions();
  for (const match of query.matchAll(/customDimensions(?:\.(\w+)|\[["'](\w+)["']\])/g)) {
    expect(dimensions, query).toContain(match[1] ?? match[2]);
  }
  for (const match of query.matchAll(/outcome\s*==\s*"([^"]*)"/g)) {
    expect(outcomes, query).toContain(match[1]);
  }
}

describe('rotation overview workbook content', () => {
  const workbook = readRepoJson<JsonObject>(WORKBOOK_FILE);

  it('is a Notebook/1.0 document with queries over Application Insights', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    const queries = workbookQueries(workbook);
    expect(queries.length).toBeGreaterThanOrEqual(5);
  });

  it('queries only the custom events and dimensions defined in src/telemetry/events.ts', () => {
    for (const query of workbookQueries(workbook)) expectOnlyEmittedTelemetry(query);
  });

  it('shows rotation outcomes, failures and rotations still in flight', () => {
    const queries = workbookQueries(workbook).join('\n');
    expect(queries).toContain(`"${TelemetryEvent.RotationFinished}"`);
    expect(queries).toContain(`"${TelemetryEvent.RotationStarted}"`);
    expect(queries).toContain(`"${TelemetryEvent.RotationStep}"`);
    expect(queries).toContain(`outcome == "${RotationOutcome.Failed}"`);
  });
});

describe.runIf(bicepTestsEnabled())('monitoring resources in the compiled template', () => {
  let template: ArmTemplate;

  beforeAll(() => {
    template = compiledMainTemplate(getBicep());
  }, BICEP_SETUP_TIMEOUT_MS);

  it('deploys a shared workbook named by a guid whose content is templates/workbooks/rotation-overview.json', () => {
    const module = moduleTemplate(template, 'workbook');
    const workbook = resource(module, 'workbook');
    expect(workbook.kind).toBe('shared');
    expect(workbook.name).toMatch(/^\[guid\(/);
    expect(workbook.properties?.category).toBe('workbook');
    expect(workbook.properties?.sourceId).toBe("[parameters('applicationInsightsId')]");
    expect(workbook.properties?.serializedData).toBe(
      "[string(union(variables('content'), createObject('fallbackResourceIds', createArray(parameters('applicationInsightsId')))))]",
    );
    const content = /^\[variables\('(.+)'\)\]$/.exec(text(module.variables?.content));
    expect(content).not.toBeNull();
    expect(module.variables?.[content![1]!]).toEqual(readRepoJson<Json>(WORKBOOK_FILE));
  });

  it('attaches the workbook to the Application Insights component', () => {
    const passed = resource(template, 'workbook').properties?.parameters;
    expect(at(passed, 'applicationInsightsId', 'value')).toBe(
      "[reference('monitoring').outputs.applicationInsightsId.value]",
    );
  });

  it('defines log alerts only over the custom events and dimensions the code emits', () => {
    const rules = deployedOfType(template, 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const { resource: rule } of rules) {
      expect(rule.kind).toBe('LogAlert');
      const criteria = at(rule.properties, 'criteria', 'allOf');
      expect(Array.isArray(criteria)).toBe(true);
      for (const criterion of criteria as Json[])
        expectOnlyEmittedTelemetry(text(at(criterion, 'query')).trim());
    }
  });

  it('alerts on every failed rotation, per credential', () => {
    const rule = resource(moduleTemplate(template, 'alerts'), 'rotationFailed');
    const criterion = at(rule.properties, 'criteria', 'allOf', 0);
    expect(text(at(criterion, 'query'))).toContain(`outcome == "${RotationOutcome.Failed}"`);
    expect(at(criterion, 'operator')).toBe('GreaterThan');
    expect(at(criterion, 'threshold')).toBe(0);
    expect(at(criterion, 'dimensions', 0, 'name')).toBe('credentialId');
    expect(at(rule.properties, 'scopes')).toEqual(["[parameters('applicationInsightsId')]"]);
  });

  it('alerts when no policy scan completed in the window', () => {
    const rule = resource(moduleTemplate(template, 'alerts'), 'scanStalled');
    const criterion = at(rule.properties, 'criteria', 'allOf', 0);
    expect(text(at(criterion, 'query'))).toContain(`"${TelemetryEvent.ScanCompleted}"`);
    expect(at(criterion, 'operator')).toBe('LessThan');
    expect(at(criterion, 'threshold')).toBe(1);
  });

  it('wires the alerts to an e-mail action group only when an address is given', () => {
    const alerts = moduleTemplate(template, 'alerts');
    const group = resource(alerts, 'actionGroup');
    expect(group.condition).toBe("[not(empty(parameters('alertEmailAddress')))]");
    expect(group.location).toBe('global');
    expect(at(group.properties, 'emailReceivers', 0, 'emailAddress')).toBe(
      "[parameters('alertEmailAddress')]",
    );
    expect(at(resource(alerts, 'rotationFailed').properties, 'actions', 'actionGroups')).toBe(
      "[variables('actionGroupIds')]",
    );
    expect(template.parameters?.alertEmailAddress?.defaultValue).toBe('');
  });

  describe('Key Vault events', () => {
    it('are off by default', () => {
      expect(template.parameters?.enableKeyVaultEvents?.defaultValue).toBe(false);
      expect(resource(template, 'keyVaultEvents').copy?.count).toBe(
        "[length(if(parameters('enableKeyVaultEvents'), parameters('keyVaultIds'), createArray()))]",
      );
    });

    it('deliver only SecretNearExpiry to the keyVaultSecretNearExpiry function through an AzureFunction endpoint', () => {
      expect(template.parameters?.keyVaultEventsFunctionName?.defaultValue).toBe('keyVaultSecretNearExpiry');
      const topic = single(template, 'Microsoft.EventGrid/systemTopics');
      expect(at(topic.properties, 'topicType')).toBe('Microsoft.KeyVault.vaults');
      const subscription = single(template, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
      expect(at(subscription.properties, 'filter', 'includedEventTypes')).toEqual([
        'Microsoft.KeyVault.SecretNearExpiry',
      ]);
      expect(at(subscription.properties, 'destination', 'endpointType')).toBe('AzureFunction');
      expect(text(at(subscription.properties, 'destination', 'properties', 'resourceId'))).toMatch(
        /'Microsoft\.Web\/sites\/functions'.*parameters\('functionName'\)/,
      );
    });
  });
});
