import { KeyturnError } from '../../../core/errors';
import type { SecretValue } from '../../../core/secret';
import type { Validator, ValidatorAdapter } from '../../ports';
import { type HttpValidatorConfig, httpValidatorSchema } from './schema';

/** Proves a key by calling the API it is for, the way a consumer would. */
export class HttpProbeValidator implements Validator {
  readonly kind = 'http';
  readonly id: string;
  readonly #config: HttpValidatorConfig;

  constructor(config: HttpValidatorConfig) {
    this.#config = config;
    this.id = `http:${config.method} ${config.url}`;
  }

  async validate(value: SecretValue): Promise<void> {
    const { present } = this.#config;
    const url = new URL(this.#config.url);
    const headers: Record<string, string> = {};
    if (present.as === 'header') headers[present.name] = value.reveal();
    else if (present.as === 'bearer') headers['authorization'] = `Bearer ${value.reveal()}`;
    else url.searchParams.set(present.name, value.reveal());

    let status: number;
    try {
      const response = await fetch(url, {
        method: this.#config.method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#config.timeoutMs),
      });
      await response.body?.cancel();
      status = response.status;
    } catch (error) {
      // Not reachable is not "rejected": the consumer may be restarting to pick the key up.
      throw new KeyturnError('validation-failed', `Validator ${this.id} could not reach the API.`, {
        retryable: true,
        details: { validator: this.id },
        cause: error instanceof Error ? new Error(error.name) : undefined,
      });
    }
    if (!this.#config.expectStatus.includes(status)) {
      throw new KeyturnError(
        'validation-failed',
        `Validator ${this.id} answered ${status} with the new key.`,
        {
          retryable: status >= 500 || status === 429,
          details: { validator: this.id, status },
        },
      );
    }
  }
}

export const httpValidatorAdapter = {
  kind: 'http',
  schema: httpValidatorSchema,
  create: (config) => new HttpProbeValidator(config),
} satisfies ValidatorAdapter<typeof httpValidatorSchema>;
