import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** The bearer token every emulator accepts unless it is started with other tokens. */
export const EMULATOR_TOKEN = 'keyturn-emulator-token';

/**
 * A `TokenCredential` that always returns the same token, whatever scope or tenant the SDK asks for.
 * The emulators accept it; real Azure never would.
 */
export function staticTokenCredential(token: string = EMULATOR_TOKEN): TokenCredential {
  return {
    getToken(): Promise<AccessToken> {
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

/** The token carried by an `Authorization: Bearer ...` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}
