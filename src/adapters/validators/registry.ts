import { httpValidatorAdapter } from './http';
import { issuerValidatorAdapter } from './issuer';

/** Every validator kind keyturn knows. A new validator is one folder and one line here. */
export const validatorAdapters = {
  http: httpValidatorAdapter,
  issuer: issuerValidatorAdapter,
} as const;
