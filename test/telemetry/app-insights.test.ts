import { describe, expect, it } from 'vitest';

import { aadClientIdFrom } from '../../src/telemetry/app-insights';

describe('Application Insights authentication string', () => {
  it.each([
    ['Authorization=AAD;ClientId=1234-abcd', '1234-abcd'],
    ['ClientId=1234-abcd;Authorization=AAD', '1234-abcd'],
    ['Authorization=AAD', ''],
    ['authorization=aad; clientid=x', 'x'],
  ])('asks for Entra ID ingestion with %s', (text, clientId) => {
    expect(aadClientIdFrom(text)).toBe(clientId);
  });

  it.each([undefined, '', 'Authorization=Key', 'garbage'])(
    'uses the connection string alone for %s',
    (text) => {
      expect(aadClientIdFrom(text)).toBeUndefined();
    },
  );
});
