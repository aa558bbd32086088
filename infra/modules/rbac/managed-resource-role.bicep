// One role assignment on one resource that keyturn manages (a target it writes keys to or an
// issuer whose keys it regenerates). Deployed into the resource's own resource group, which may
// sit in another subscription; `kind` selects the resource type to scope the assignment to.

@description('What the resource is to keyturn.')
param kind ('keyVault' | 'appConfigurationStore' | 'site' | 'staticSite' | 'storageAccount' | 'cognitiveServicesAccount' | 'apiManagementService')

@description('Name of the resource in this resource group.')
param resourceName string

@description('Role definition id (GUID) to grant.')
param roleDefinitionId string

@description('Principal id of keyturn\'s user-assigned identity.')
param principalId string

var roleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
var assignmentDescription = 'keyturn (${kind})'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = if (kind == 'keyVault') {
  name: resourceName
}

resource configurationStore 'Microsoft.AppConfiguration/configurationStores@2025-02-01-preview' existing = if (kind == 'appConfigurationStore') {
  name: resourceName
}

resource site 'Microsoft.Web/sites@2025-03-01' existing = if (kind == 'site') {
  name: resourceName
}

resource staticSite 'Microsoft.Web/staticSites@2025-03-01' existing = if (kind == 'staticSite') {
  name: resourceName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = if (kind == 'storageAccount') {
  name: resourceName
}

resource cognitiveServicesAccount 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = if (kind == 'cognitiveServicesAccount') {
  name: resourceName
}

resource apiManagementService 'Microsoft.ApiManagement/service@2024-05-01' existing = if (kind == 'apiManagementService') {
  name: resourceName
}

resource onVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'keyVault') {
  name: guid(vault.id, principalId, roleDefinitionId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onConfigurationStore 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'appConfigurationStore') {
  name: guid(configurationStore.id, principalId, roleDefinitionId)
  scope: configurationStore
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onSite 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'site') {
  name: guid(site.id, principalId, roleDefinitionId)
  scope: site
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onStaticSite 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'staticSite') {
  name: guid(staticSite.id, principalId, roleDefinitionId)
  scope: staticSite
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onStorageAccount 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'storageAccount') {
  name: guid(storageAccount.id, principalId, roleDefinitionId)
  scope: storageAccount
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onCognitiveServicesAccount 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'cognitiveServicesAccount') {
  name: guid(cognitiveServicesAccount.id, principalId, roleDefinitionId)
  scope: cognitiveServicesAccount
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}

resource onApiManagementService 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (kind == 'apiManagementService') {
  name: guid(apiManagementService.id, principalId, roleDefinitionId)
  scope: apiManagementService
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleId
    description: assignmentDescription
  }
}
