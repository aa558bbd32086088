// keyturn on Azure: a Flex Consumption Function App running as a user-assigned identity, with
// keyless host storage, Application Insights (Entra ID ingestion), its own RBAC Key Vault, a
// rotation workbook, log alerts, and the least built-in role on every resource it manages.
// Deployed at subscription scope: it creates the resource group, and it can grant roles on
// managed resources in any resource group or subscription.

targetScope = 'subscription'

metadata description = 'keyturn: governed API key rotation on Azure Functions.'

@minLength(1)
@maxLength(64)
@description('Name of the environment; seeds resource names and the resource group name (azd sets it).')
param environmentName string = 'keyturn'

@description('Region of every resource; it must offer the Flex Consumption plan.')
@metadata({ azd: { type: 'location' } })
param location string = deployment().location

@description('Resource group to create or update; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Optional principal (under azd: you) that gets read access to keyturn\'s tables; empty for none.')
param principalId string = ''

@description('Type of principalId.')
param principalType ('User' | 'Group' | 'ServicePrincipal') = 'User'

@description('Durable Functions task hub: letters and digits only, starting with a letter.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'keyturn'

@description('KEYTURN_TABLE_PREFIX: prefix of every keyturn table name.')
@minLength(1)
@maxLength(30)
param tablePrefix string = 'keyturn'

@description('KEYTURN_CONFIG_PATH: credentials configuration file, relative to the app root.')
param configPath string = 'keyturn.config.yaml'

@description('KEYTURN_SCAN_SCHEDULE: NCRONTAB (six fields, UTC) of the policy scan.')
param scanSchedule string = '0 */15 * * * *'

@description('KEYTURN_MASTER_KEY_SECRET_NAME: name of the master key secret in keyturn\'s own vault.')
param masterKeySecretName string = 'keyturn-master-key'

@description('Upper bound of Flex Consumption instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Key Vaults keyturn distributes keys to (Key Vault Secrets Officer on each).')
param keyVaultIds string[] = []

@description('App Configuration stores keyturn distributes keys to (App Configuration Data Owner on each).')
param appConfigurationStoreIds string[] = []

@description('Web apps and function apps whose app settings or host keys keyturn manages (Website Contributor on each).')
param siteIds string[] = []

@description('Static Web Apps whose app settings keyturn manages (Contributor on each, or staticSiteRoleDefinitionId).')
param staticSiteIds string[] = []

@description('Optional custom role definition id (GUID) for Static Web Apps, narrower than Contributor.')
param staticSiteRoleDefinitionId string = ''

@description('Storage accounts whose access keys keyturn rotates (Storage Account Key Operator Service Role on each).')
param storageAccountIds string[] = []

@description('Cognitive Services / Azure OpenAI accounts whose keys keyturn rotates (Cognitive Services Contributor on each).')
param cognitiveServicesAccountIds string[] = []

@description('API Management services whose subscription keys keyturn rotates (API Management Service Contributor on each).')
param apiManagementServiceIds string[] = []

@description('E-mail address that receives keyturn alerts; empty for none.')
param alertEmailAddress string = ''

@description('ISO 8601 duration without a completed policy scan before the scan-stalled alert fires.')
param scanStalledAfter string = 'PT1H'

@description('Deliver SecretNearExpiry events from keyVaultIds to keyturn; enable once the app code is deployed.')
param enableKeyVaultEvents bool = false

@description('Event Grid-triggered function that receives SecretNearExpiry events.')
param keyVaultEventsFunctionName string = 'keyVaultSecretNearExpiry'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'keyturn'
}
var functionAppName = '${abbrs.webSitesFunctions}keyturn-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? '${abbrs.resourcesResourceGroups}${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'keyturn-identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}keyturn-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'keyturn-storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    appPrincipalId: identity.outputs.principalId
    readerPrincipalId: principalId
    readerPrincipalType: principalType
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'keyturn-monitoring'
  scope: rg
  params: {
    workspaceName: '${abbrs.operationalInsightsWorkspaces}keyturn-${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}keyturn-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyturn-keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'keyturn-functionapp'
  scope: rg
  params: {
    planName: '${abbrs.webServerFarms}keyturn-${resourceToken}'
    name: functionAppName
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    masterKeyVaultUri: keyVault.outputs.uri
    taskHubName: taskHubName
    keyturnSettings: {
      tablePrefix: tablePrefix
      configPath: configPath
      scanSchedule: scanSchedule
      masterKeySecretName: masterKeySecretName
    }
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module managedResources 'modules/rbac/managed-resources.bicep' = {
  name: 'keyturn-managed-resources'
  params: {
    principalId: identity.outputs.principalId
    keyVaultIds: keyVaultIds
    appConfigurationStoreIds: appConfigurationStoreIds
    siteIds: siteIds
    staticSiteIds: staticSiteIds
    staticSiteRoleDefinitionId: staticSiteRoleDefinitionId
    storageAccountIds: storageAccountIds
    cognitiveServicesAccountIds: cognitiveServicesAccountIds
    apiManagementServiceIds: apiManagementServiceIds
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'keyturn-workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    displayName: 'keyturn rotation overview (${environmentName})'
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'keyturn-alerts'
  scope: rg
  params: {
    namePrefix: '${abbrs.insightsScheduledQueryRules}keyturn-${resourceToken}-'
    actionGroupName: '${abbrs.insightsActionGroups}keyturn-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmailAddress: alertEmailAddress
    scanStalledAfter: scanStalledAfter
  }
}

module keyVaultEvents 'modules/eventgrid.bicep' = [
  for vaultId in (enableKeyVaultEvents ? keyVaultIds : []): {
    name: take('keyturn-events-${uniqueString(vaultId)}', 64)
    scope: resourceGroup(split(vaultId, '/')[2], split(vaultId, '/')[4])
    params: {
      vaultName: last(split(vaultId, '/'))
      functionAppId: functionApp.outputs.id
      functionName: keyVaultEventsFunctionName
      tags: tags
    }
  }
]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output KEYTURN_MASTER_KEY_VAULT_URL string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output TASKHUB_NAME string = taskHubName
