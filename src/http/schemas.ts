import { z } from 'zod';

import { reasonSchema } from './request';

export const CREDENTIAL_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const ROTATION_ID = /^[a-z0-9][a-z0-9-]{1,62}\.(rollback\.)?g[0-9]{1,9}$/;

export const rotateBodySchema = z
  .object({
    reason: reasonSchema,
    /** Name of the person or system asking, recorded as their claim when the platform has none. */
    requestedBy: z.string().trim().min(1).max(200).optional(),
    /** Rotate now even inside a freeze or outside the change windows (a leaked key, say). */
    emergency: z.boolean().default(false),
  })
  .strict();

export const rollbackBodySchema = z
  .object({
    reason: reasonSchema,
    requestedBy: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const listCredentialsQuerySchema = z.object({
  state: z.enum(['compliant', 'renewal-window', 'due', 'overdue']).optional(),
  environment: z.string().min(1).max(50).optional(),
});

export const verifyKeyBodySchema = z
  .object({
    key: z.string().min(1).max(512),
  })
  .strict();

export const approvalBodySchema = z
  .object({
    /** true approves the rotation, false rejects it. */
    approve: z.boolean(),
    comment: z.string().trim().min(1).max(500).optional(),
    /** Name of the approver, recorded as their claim when the platform has none. */
    approvedBy: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
