import { fileTargetAdapter } from './file';

/** Every target kind keyturn knows. A new target is one folder and one line here. */
export const targetAdapters = {
  file: fileTargetAdapter,
} as const;
