// Grants keyturn's identity the least built-in role each managed resource kind needs, on each
// resource individually, wherever it lives (any resource group, any subscription of the tenant).

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

@description('Role definition id (GUID) for Static Web Apps; empty uses the built-in Contributor role.')
param staticSiteRoleDefinitionId string

var roles = loadJsonContent('../../roles.json')

// One entry per managed resource: its kind, its id and the role that kind needs.
var assignments = flatten([
  map(keyVaultIds, id => { kind: 'keyVault', id: id, role: roles.keyVaultSecretsOfficer })
  map(appConfigurationStoreIds, id => { kind: 'appConfigurationStore', id: id, role: roles.appConfigurationDataOwner })
  map(siteIds, id => { kind: 'site', id: id, role: roles.websiteContributor })
  map(staticSiteIds, id => {
    kind: 'staticSite'
    id: id
    role: empty(staticSiteRoleDefinitionId) ? roles.contributor : staticSiteRoleDefinitionId
  })
  map(storageAccountIds, id => { kind: 'storageAccount', id: id, role: roles.storageAccountKeyOperatorServiceRole })
  map(cognitiveServicesAccountIds, id => {
    kind: 'cognitiveServicesAccount'
    id: id
    role: roles.cognitiveServicesContributor
  })
  map(apiManagementServiceIds, id => {
    kind: 'apiManagementService'
    id: id
    role: roles.apiManagementServiceContributor
  })
])

module assignment 'managed-resource-role.bicep' = [
  for a in assignments: {
    name: take('keyturn-rbac-${a.kind}-${uniqueString(a.id, principalId)}', 64)
    scope: resourceGroup(split(a.id, '/')[2], split(a.id, '/')[4])
    params: {
      kind: a.kind
      resourceName: last(split(a.id, '/'))
      roleDefinitionId: a.role
      principalId: principalId
    }
  }
]
