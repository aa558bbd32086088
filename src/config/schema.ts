import { IANAZone } from 'luxon';
import { z } from 'zod';

import { issuerAdapters } from '../adapters/issuers/registry';
import { targetAdapters } from '../adapters/targets/registry';
import { validatorAdapters } from '../adapters/validators/registry';
import { isoDuration } from './duration';
import { unionOfAdapters } from './union';

const idPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;
const idMessage = 'must be 2-63 lowercase letters, digits or dashes, starting with a letter or digit';
const identifier = z.string().regex(idPattern, idMessage);

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)');

export const changeWindowSchema = z
  .object({
    days: z.array(weekday).min(1),
    start: clockTime,
    /** May be earlier than `start`: the window then runs past midnight. */
    end: clockTime,
    timeZone: z
      .string()
      .default('UTC')
      .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Berlin'),
  })
  .strict()
  .refine((w) => w.start !== w.end, { error: 'start and end must differ', path: ['end'] });

export const freezeSchema = z
  .object({
    from: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }),
    reason: z.string().min(1).max(200),
  })
  .strict()
  .refine((f) => Date.parse(f.from) < Date.parse(f.until), {
    error: 'must be after from',
    path: ['until'],
  });

export const policySchema = z
  .object({
    /** Rotation period: the oldest a key may get. */
    maxAge: isoDuration,
    /** How long before maxAge rotation may start (the renewal window). */
    renewBefore: isoDuration.prefault('P14D'),
    /** How long the previous key stays valid after the new one is promoted. */
    grace: isoDuration.prefault('PT24H'),
    /** How early people are told that a rotation is coming. */
    notice: isoDuration.prefault('P7D'),
    /** How long past maxAge a key counts as due before it is overdue (a policy violation). */
    overdueAfter: isoDuration.prefault('P1D'),
    /** Scheduled rotations start only inside one of these; none means any time. */
    changeWindows: z.array(changeWindowSchema).default([]),
    /** Periods with no scheduled rotation at all. */
    freezes: z.array(freezeSchema).default([]),
    /** A person other than the requester must approve each rotation before a key is generated. */
    requireApproval: z.boolean().default(false),
    /** How long a rotation waits for that approval before it is declined. */
    approvalTimeout: isoDuration.prefault('P3D'),
  })
  .strict()
  .refine((p) => p.renewBefore < p.maxAge, { error: 'must be shorter than maxAge', path: ['renewBefore'] })
  .refine((p) => p.grace < p.maxAge, { error: 'must be shorter than maxAge', path: ['grace'] });

const issuerSchema = unionOfAdapters(issuerAdapters);
const targetSchema = unionOfAdapters(targetAdapters);
const validatorSchema = unionOfAdapters(validatorAdapters);

export const credentialSchema = z
  .object({
    id: identifier,
    description: z.string().max(500).optional(),
    /** Who answers for this key (a team mailbox, say). */
    owner: z.string().min(1).max(200),
    /** The application that uses the key. */
    application: z.string().min(1).max(200),
    environment: z.string().min(1).max(50),
    issuer: identifier,
    policy: identifier,
    /** automatic: the policy scan rotates it; manual: only requests do. */
    mode: z.enum(['automatic', 'manual']).default('automatic'),
    targets: z.array(targetSchema).min(1, 'a credential needs at least one target'),
    validators: z.array(validatorSchema).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(1),
    policies: z.record(identifier, policySchema),
    issuers: z.record(identifier, issuerSchema),
    credentials: z.array(credentialSchema),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    const issuerOwners = new Map<string, number>();
    config.credentials.forEach((credential, index) => {
      const first = seen.get(credential.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['credentials', index, 'id'],
          message: `duplicates credentials[${first}].id "${credential.id}"`,
        });
      }
      seen.set(credential.id, index);
      const issuer = config.issuers[credential.issuer];
      const owner = issuerOwners.get(credential.issuer);
      if (issuer && (issuerAdapters[issuer.kind] as { singleCredential?: boolean }).singleCredential) {
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['credentials', index, 'issuer'],
            message: `issuer "${credential.issuer}" (${issuer.kind}) already serves credentials[${owner}]; each credential needs its own`,
          });
        } else issuerOwners.set(credential.issuer, index);
      }
      if (!(credential.issuer in config.issuers)) {
        ctx.addIssue({
          code: 'custom',
          path: ['credentials', index, 'issuer'],
          message: `no issuer "${credential.issuer}" is declared under issuers`,
        });
      }
      if (!(credential.policy in config.policies)) {
        ctx.addIssue({
          code: 'custom',
          path: ['credentials', index, 'policy'],
          message: `no policy "${credential.policy}" is declared under policies`,
        });
      }
    });
  });

export type KeyturnConfig = z.infer<typeof configSchema>;
export type CredentialConfig = z.infer<typeof credentialSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type IssuerConfig = z.infer<typeof issuerSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type ValidatorConfig = z.infer<typeof validatorSchema>;
