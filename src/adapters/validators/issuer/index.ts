import { z } from 'zod';

import { KeyturnError } from '../../../core/errors';
import type { SecretValue } from '../../../core/secret';
import type { Issuer, Validator, ValidatorAdapter } from '../../ports';

export const issuerValidatorSchema = z.object({ kind: z.literal('issuer') }).strict();

/** Proves a key by asking its issuer whether it accepts it (the managed issuer can answer). */
export class IssuerAcceptsValidator implements Validator {
  readonly kind = 'issuer';
  readonly id = 'issuer';
  readonly #issuer: Issuer | undefined;

  constructor(issuer: Issuer | undefined) {
    this.#issuer = issuer;
  }

  async validate(value: SecretValue): Promise<void> {
    if (!this.#issuer?.accepts) {
      throw new KeyturnError('invalid-input', 'This credential’s issuer cannot verify keys.', {
        retryable: false,
      });
    }
    if (!(await this.#issuer.accepts(value))) {
      throw new KeyturnError(
        'validation-failed',
        `The ${this.#issuer.kind} issuer does not accept the new key.`,
        {
          retryable: false,
          details: { validator: this.id },
        },
      );
    }
  }
}

export const issuerValidatorAdapter = {
  kind: 'issuer',
  schema: issuerValidatorSchema,
  create: (_config, deps) => new IssuerAcceptsValidator(deps.issuer),
} satisfies ValidatorAdapter<typeof issuerValidatorSchema>;
