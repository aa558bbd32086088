/** A Key Vault reference as App Service parses it from `@Microsoft.KeyVault(...)`. */
export interface KeyVaultReference {
  /** The vault name (first DNS label of the SecretUri host, or VaultName=). */
  readonly vaultName: string;
  /** The SecretUri's origin, when the reference uses the SecretUri form. */
  readonly vaultUri?: string;
  readonly secretName: string;
  /** Absent for a versionless reference, which follows the latest version. */
  readonly secretVersion?: string;
}

/** App Service's resolution outcome (a subset of its `ResolveStatus` values). */
export type ReferenceResolution =
  | { readonly status: 'Resolved'; readonly version: string; readonly value: string }
  | {
      readonly status: 'VaultNotFound' | 'SecretNotFound' | 'SecretVersionNotFound' | 'OtherReasons';
      readonly details?: string;
    };

/** Looks a reference up in a vault; the Key Vault emulator provides one (`control.referenceResolver()`). */
export type KeyVaultReferenceResolver = (reference: KeyVaultReference) => ReferenceResolution;

/**
 * Parses an app setting value that is a Key Vault reference; undefined when it is not one, and
 * `'invalid'` when it starts like one but cannot be read (App Service reports InvalidSyntax).
 */
export function parseKeyVaultReference(value: string): KeyVaultReference | 'invalid' | undefined {
  const match = /^@Microsoft\.KeyVault\((.*)\)$/s.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const body = match[1] ?? '';
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    const index = part.indexOf('=');
    if (index > 0) {
      parts.set(part.slice(0, index).trim().toLowerCase(), part.slice(index + 1).trim());
    }
  }
  const secretUri = parts.get('secreturi');
  if (secretUri !== undefined) {
    let uri: URL;
    try {
      uri = new URL(secretUri);
    } catch {
      return 'invalid';
    }
    const segments = uri.pathname.split('/').filter((segment) => segment !== '');
    if (segments[0]?.toLowerCase() !== 'secrets' || segments[1] === undefined || segments.length > 3) {
      return 'invalid';
    }
    return {
      vaultName: uri.hostname.split('.')[0] ?? '',
      vaultUri: uri.origin,
      secretName: segments[1],
      ...(segments[2] === undefined ? {} : { secretVersion: segments[2] }),
    };
  }
  const vaultName = parts.get('vaultname');
  const secretName = parts.get('secretname');
  if (vaultName === undefined || secretName === undefined) {
    return 'invalid';
  }
  const secretVersion = parts.get('secretversion');
  return { vaultName, secretName, ...(secretVersion === undefined ? {} : { secretVersion }) };
}
