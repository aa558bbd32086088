// The rotation overview workbook, attached to keyturn's Application Insights component. Its
// content lives in templates/workbooks/rotation-overview.json so that it stays editable.

@description('Azure region of the workbook.')
param location string

@description('Tags applied to the workbook.')
param tags { *: string }

@description('Application Insights component the workbook reads.')
param applicationInsightsId string

@description('Display name shown in the workbook gallery.')
param displayName string

var content = loadJsonContent('../../templates/workbooks/rotation-overview.json')

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsId, 'keyturn-rotation-overview')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(union(content, { fallbackResourceIds: [applicationInsightsId] }))
  }
}

output id string = workbook.id
