// Delivers Microsoft.KeyVault.SecretNearExpiry from one keyturn-managed vault to keyturn's
// Event Grid-triggered function. Deployed into the vault's resource group, because a system
// topic lives beside its source; the vault's region is read here and handed to the topic.

@description('Name of the vault in this resource group.')
param vaultName string

@description('Resource id of keyturn\'s Function App.')
param functionAppId string

@description('Name of the Event Grid-triggered function that receives the events.')
param functionName string

@description('Tags applied to the system topic.')
param tags { *: string }

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: vaultName
}

module topic 'eventgrid-topic.bicep' = {
  name: take('keyturn-topic-${uniqueString(vault.id)}', 64)
  params: {
    vaultName: vault.name
    location: vault.location
    functionAppId: functionAppId
    functionName: functionName
    tags: tags
  }
}
