// Host storage for the Functions runtime, Durable Functions (queues + tables) and keyturn's own
// tables. Shared-key access is off, so everything (including Flex deployment) uses Entra ID.

@description('Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags { *: string }

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Principal id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('Optional principal (the deploying developer under azd) that may read keyturn\'s tables; empty for none.')
param readerPrincipalId string = ''

@description('Principal type of readerPrincipalId.')
param readerPrincipalType ('User' | 'Group' | 'ServicePrincipal') = 'User'

var roles = loadJsonContent('../roles.json').builtInRoles

// Blob: host keys, timers' leases and the deployment package. Queue + table: Durable Functions'
// Azure Storage provider. Table: keyturn's inventory, state and audit.
var appRoleIds = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoleIds: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource readerRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(readerPrincipalId)) {
  name: guid(storage.id, readerPrincipalId, roles.storageTableDataReader)
  scope: storage
  properties: {
    principalId: readerPrincipalId
    principalType: readerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
  }
}

output name string = storage.name
