// The system topic on one vault and its subscription for SecretNearExpiry, delivered to an
// Azure Functions endpoint (Event Grid resolves the function's key itself; no key in the template).

@description('Name of the vault in this resource group.')
param vaultName string

@description('Region of the vault; a system topic must share its source\'s region.')
param location string

@description('Resource id of keyturn\'s Function App.')
param functionAppId string

@description('Name of the Event Grid-triggered function that receives the events.')
param functionName string

@description('Tags applied to the system topic.')
param tags { *: string }

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

resource receiver 'Microsoft.Web/sites/functions@2025-03-01' existing = {
  scope: resourceGroup(split(functionAppId, '/')[2], split(functionAppId, '/')[4])
  name: '${last(split(functionAppId, '/'))}/${functionName}'
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${vaultName}-keyturn-events'
  location: location
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource nearExpiry 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'keyturn-secret-near-expiry'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: receiver.id
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.KeyVault.SecretNearExpiry'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
