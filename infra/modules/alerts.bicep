// Log search alerts over the custom events keyturn sends (src/telemetry/events.ts), wired to an
// action group that e-mails the operators when an address is given.

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Name of the action group.')
param actionGroupName string

@description('Azure region of the alert rules.')
param location string

@description('Tags applied to every resource.')
param tags { *: string }

@description('Application Insights component the rules query.')
param applicationInsightsId string

@description('E-mail address that receives alerts; empty creates no action group.')
param alertEmailAddress string

@description('ISO 8601 duration without a completed policy scan after which the scan counts as stalled.')
param scanStalledAfter string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'keyturn'
    enabled: true
    emailReceivers: [
      {
        name: 'keyturn-operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = empty(alertEmailAddress) ? [] : [actionGroup.id]

// One alert per credential whose rotation ended failed (compensated) in the window.
resource rotationFailed 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}rotation-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'keyturn: rotation failed'
    description: 'A rotation finished with outcome "failed": targets were restored and the pending key revoked. See the rotation overview workbook and the audit log.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
customEvents
| where name == "keyturn.rotation.finished"
| extend outcome = tostring(customDimensions.outcome), credentialId = tostring(customDimensions.credentialId), rotationId = tostring(customDimensions.rotationId)
| where outcome == "failed"
| project timestamp, credentialId, rotationId
'''
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'credentialId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

// The policy scan runs on a timer (KEYTURN_SCAN_SCHEDULE); no completed scan means no rotation
// gets planned, so overdue keys would go unnoticed.
resource scanStalled 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}scan-stalled'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'keyturn: policy scan stalled'
    description: 'No policy scan completed in the window: rotations are not being planned. Check that the function app runs and its timer fires.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: scanStalledAfter
    criteria: {
      allOf: [
        {
          query: '''
customEvents
| where name == "keyturn.scan.completed"
| project timestamp
'''
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}
