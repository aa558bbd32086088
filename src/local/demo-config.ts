import { join } from 'node:path';

import { loadConfig, type LoadedConfig } from '../config/load';

/**
 * The embedded default configuration of `npm start`: one credential issued by the managed issuer,
 * written to a .env file a consumer reads, and validated by the demo API (which verifies keys
 * through keyturn). Periods are minutes so that the demo rotates while you watch.
 */
export function demoConfig(dataDir: string, demoApiUrl: string): LoadedConfig {
  const document = {
    version: 1,
    policies: {
      demo: {
        maxAge: 'PT10M',
        renewBefore: 'PT3M',
        grace: 'PT1M',
        notice: 'PT2M',
        overdueAfter: 'PT5M',
      },
    },
    issuers: {
      'demo-authority': { kind: 'managed', prefix: 'kdemo' },
    },
    credentials: [
      {
        id: 'demo-api-key',
        description: 'Key the demo client uses to call the demo API',
        owner: 'platform-team@example.com',
        application: 'demo-client',
        environment: 'local',
        issuer: 'demo-authority',
        policy: 'demo',
        mode: 'automatic',
        targets: [{ kind: 'file', path: join(dataDir, 'demo', 'consumer.env'), key: 'DEMO_API_KEY' }],
        validators: [
          { kind: 'issuer' },
          { kind: 'http', url: `${demoApiUrl}/hello`, present: { as: 'header', name: 'x-api-key' } },
        ],
      },
    ],
  };
  return loadConfig(document, dataDir, 'embedded demo configuration');
}
