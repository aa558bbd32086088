// The keyturn Function App on the Flex Consumption plan (FC1, Linux, Node.js 20). Runtime and
// deployment live in functionAppConfig; app settings hold only what the code reads, and every
// connection is identity-based (no keys or connection strings with secrets).

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App.')
param name string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app.')
param tags { *: string }

@description('azd service name; azd finds the deployment target by this tag.')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the host storage account.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('URI of keyturn\'s own vault (KEYTURN_MASTER_KEY_VAULT_URL).')
param masterKeyVaultUri string

@description('App settings of keyturn itself (see src/config/settings.ts).')
param keyturnSettings {
  tablePrefix: string
  configPath: string
  scanSchedule: string
  masterKeySecretName: string
}

@description('Durable Functions task hub name: letters and digits, starting with a letter.')
param taskHubName string

@description('Upper bound of instances Flex may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // Host storage (runtime, Durable Functions, keyturn's tables) through the identity.
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'TASKHUB_NAME'
          value: taskHubName
        }
        // Telemetry: the connection string locates the component; ingestion is authorised with
        // Entra ID because the component has local authentication disabled.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
        // DefaultAzureCredential picks the user-assigned identity by this client id.
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'KEYTURN_STORAGE_CONNECTION'
          value: 'AzureWebJobsStorage'
        }
        {
          name: 'KEYTURN_TABLE_PREFIX'
          value: keyturnSettings.tablePrefix
        }
        {
          name: 'KEYTURN_CONFIG_PATH'
          value: keyturnSettings.configPath
        }
        {
          name: 'KEYTURN_SCAN_SCHEDULE'
          value: keyturnSettings.scanSchedule
        }
        {
          name: 'KEYTURN_MASTER_KEY_VAULT_URL'
          value: masterKeyVaultUri
        }
        {
          name: 'KEYTURN_MASTER_KEY_SECRET_NAME'
          value: keyturnSettings.masterKeySecretName
        }
        // The cloud this deployment runs in, so that Azure calls use its authority and endpoints.
        {
          name: 'KEYTURN_AZURE_CLOUD'
          value: environment().name
        }
        {
          name: 'KEYTURN_AZURE_AUTHORITY_HOST'
          value: environment().authentication.loginEndpoint
        }
        {
          name: 'KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT'
          value: environment().resourceManager
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
