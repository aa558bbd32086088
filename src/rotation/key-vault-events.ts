import type { CredentialConfig } from '../config/schema';
import { requestRotation, type RotationRequestOutcome } from './request';
import type { KeyturnServices } from './services';
import type { WorkflowStarter } from './starter';

export const SECRET_NEAR_EXPIRY = 'Microsoft.KeyVault.SecretNearExpiry';
export const EVENT_GRID_ACTOR = 'system:event-grid';

/** What a SecretNearExpiry event says: which version of which secret expires when. */
export interface SecretNearExpiry {
  readonly vaultName: string;
  /** Host of the vault (`<vault>.vault.azure.net`), when the event carries the secret's id. */
  readonly vaultHost?: string;
  readonly secretName: string;
  readonly version?: string;
  readonly expiresAt?: Date;
}

export type SecretEventOutcome =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'stale'; readonly credentialId: string; readonly detail: string }
  | (RotationRequestOutcome & { readonly credentialId: string });

/** Event data fields, whichever case the delivery uses (`Id`, `VaultName`, … on the wire). */
function field(data: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(data).find((k) => k.trim().toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : data[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Reads a SecretNearExpiry event (Event Grid schema); undefined for anything else. */
export function parseSecretNearExpiry(event: unknown): SecretNearExpiry | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { eventType, data } = event as { eventType?: unknown; data?: unknown };
  if (eventType !== SECRET_NEAR_EXPIRY || typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if ((field(record, 'ObjectType') ?? 'Secret').toLowerCase() !== 'secret') return undefined;
  const id = field(record, 'Id');
  let vaultHost: string | undefined;
  try {
    vaultHost = id === undefined ? undefined : new URL(id).hostname.toLowerCase();
  } catch {
    vaultHost = undefined;
  }
  const vaultName = field(record, 'VaultName') ?? vaultHost?.split('.')[0];
  const secretName = field(record, 'ObjectName');
  if (vaultName === undefined || secretName === undefined) return undefined;
  const exp = Number(field(record, 'EXP'));
  const version = field(record, 'Version');
  return {
    vaultName: vaultName.toLowerCase(),
    ...(vaultHost !== undefined && { vaultHost }),
    secretName,
    ...(version !== undefined && { version }),
    ...(Number.isFinite(exp) && exp > 0 && { expiresAt: new Date(exp * 1000) }),
  };
}

/** Whether a configured secret (vault URL and name) is the one the event is about. */
function isSecret(event: SecretNearExpiry, secret: { vaultUrl: string; name: string }): boolean {
  const host = new URL(secret.vaultUrl).hostname.toLowerCase();
  const sameVault =
    event.vaultHost !== undefined ? host === event.vaultHost : host.split('.')[0] === event.vaultName;
  return sameVault && secret.name.toLowerCase() === event.secretName.toLowerCase();
}

/**
 * The credentials that write the secret, and the index of the target that does: Key Vault secret
 * targets, and App Configuration Key Vault references (whose secret keyturn writes too).
 */
export function ownersOf(
  credentials: readonly CredentialConfig[],
  event: SecretNearExpiry,
): { credential: CredentialConfig; targetIndex: number }[] {
  const owners: { credential: CredentialConfig; targetIndex: number }[] = [];
  for (const credential of credentials) {
    const targetIndex = credential.targets.findIndex(
      (target) =>
        (target.kind === 'key-vault-secret' && isSecret(event, target)) ||
        (target.kind === 'app-configuration' &&
          target.secret !== undefined &&
          isSecret(event, target.secret)),
    );
    if (targetIndex >= 0) owners.push({ credential, targetIndex });
  }
  return owners;
}

/**
 * Key Vault says a secret version expires within 30 days: start the rotation of the credential
 * that writes that secret, as a manual request would (same ids, so a redelivered event starts
 * nothing twice). An event about a version that is no longer the one the target holds (an older
 * generation's) is stale and changes nothing.
 */
export async function handleSecretNearExpiry(
  services: KeyturnServices,
  starter: WorkflowStarter,
  event: unknown,
): Promise<SecretEventOutcome[]> {
  const parsed = parseSecretNearExpiry(event);
  if (!parsed) return [{ outcome: 'ignored', reason: 'not a SecretNearExpiry event for a secret' }];
  const owners = ownersOf(services.config.config.credentials, parsed);
  if (owners.length === 0) {
    return [
      {
        outcome: 'ignored',
        reason: `no credential writes secret ${parsed.secretName} in vault ${parsed.vaultName}`,
      },
    ];
  }
  const outcomes: SecretEventOutcome[] = [];
  for (const { credential, targetIndex } of owners) {
    if (parsed.version !== undefined) {
      const held = await services.targetsFor(credential)[targetIndex]?.read();
      if (held?.state === 'present' && held.version !== undefined && held.version !== parsed.version) {
        outcomes.push({
          outcome: 'stale',
          credentialId: credential.id,
          detail: `version ${parsed.version} is not the one the target holds`,
        });
        continue;
      }
    }
    const expiry = parsed.expiresAt ? ` expires at ${parsed.expiresAt.toISOString()}` : ' expires soon';
    const result = await requestRotation(services, starter, credential, {
      trigger: 'event',
      reason: `Key Vault: secret ${parsed.secretName} in vault ${parsed.vaultName}${expiry}`,
      requestedBy: EVENT_GRID_ACTOR,
      emergency: false,
    });
    outcomes.push({ ...result, credentialId: credential.id });
  }
  return outcomes;
}
