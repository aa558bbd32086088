import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { getServices } from '../app/services';
import { handleSecretNearExpiry } from '../rotation/key-vault-events';
import { durableStarter } from '../rotation/starter';

/**
 * Key Vault's SecretNearExpiry, delivered by the Event Grid subscription the Bicep creates: the
 * Azure-native trigger of a rotation, beside the policy scan. A failure throws, so Event Grid
 * delivers the event again (its retry policy); an event that concerns no credential is logged.
 */
async function keyVaultSecretNearExpiry(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const services = await getServices();
  const outcomes = await handleSecretNearExpiry(services, durableStarter(df.getClient(context)), event);
  for (const outcome of outcomes) {
    services.log.info('key vault event', { eventId: event.id, ...outcome });
  }
}

app.eventGrid('keyVaultSecretNearExpiry', {
  extraInputs: [df.input.durableClient()],
  handler: keyVaultSecretNearExpiry,
});
