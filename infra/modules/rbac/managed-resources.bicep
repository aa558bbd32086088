// Grants keyturn's identity the least built-in role each managed resource kind needs, on each
// resource individually, wherever it lives (any resource group, any subscription of the tenant).
// Which role a kind gets is declared in roles.json (managedResourceRoles).

targetScope = 'subscription'

@description('Principal id of keyturn\'s user-assigned identity.')
param principalId string

@description('Key Vaults keyturn writes keys to (targets).')
param keyVaultIds string[]

@description('App Configuration stores keyturn writes key-values to (targets).')
param appConfigurationStoreIds string[]

@description('Web apps and function apps whose settings or host keys keyturn manages.')
param siteIds string[]

@description('Static Web Apps whose settings keyturn manages.')
param staticSiteIds string[]

@description('Storage accounts whose access keys keyturn rotates (dual-key issuers).')
param storageAccountIds string[]

@description('Cognitive Services / Azure OpenAI accounts whose keys keyturn rotates (dual-key issuers).')
param cognitiveServicesAccountIds string[]

@description('API Management services whose subscription keys keyturn rotates (dual-key issuers).')
param apiManagementServiceIds string[]

@description('Role definition id (GUID) of a custom role for Static Web Apps; empty uses the built-in role from roles.json.')
param staticSiteRoleDefinitionId string

var roles = loadJsonContent('../../roles.json')

var managedResources = flatten([
  map(keyVaultIds, id => { kind: 'keyVault', id: id })
  map(appConfigurationStoreIds, id => { kind: 'appConfigurationStore', id: id })
  map(siteIds, id => { kind: 'site', id: id })
  map(staticSiteIds, id => { kind: 'staticSite', id: id })
  map(storageAccountIds, id => { kind: 'storageAccount', id: id })
  map(cognitiveServicesAccountIds, id => { kind: 'cognitiveServicesAccount', id: id })
  map(apiManagementServiceIds, id => { kind: 'apiManagementService', id: id })
])

module assignment 'managed-resource-role.bicep' = [
  for resource in managedResources: {
    name: take('keyturn-rbac-${resource.kind}-${uniqueString(resource.id)}', 64)
    scope: resourceGroup(split(resource.id, '/')[2], split(resource.id, '/')[4])
    params: {
      kind: resource.kind
      resourceName: last(split(resource.id, '/'))
      roleDefinitionId: resource.kind == 'staticSite' && !empty(staticSiteRoleDefinitionId)
        ? staticSiteRoleDefinitionId
        : roles.builtInRoles[roles.managedResourceRoles[resource.kind]]
      principalId: principalId
    }
  }
]
