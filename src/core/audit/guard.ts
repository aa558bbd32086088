import { type FieldIssue, InvalidInputError } from '../errors';
import { AUDIT_EVENT_TYPES, type AuditEntry } from './events';
import { isSecretName, looksLikeKeyMaterial } from './key-material';

/**
 * What an audit entry must look like before it is sealed into the chain. Checked at run time as
 * well as by the compiler because entries are often built by spreading a context object, and an
 * extra `value` field or a SecretValue in `details` must fail loudly rather than be recorded.
 * Issues name the field, never echo the value (it may be the very secret being refused).
 */
const LIMITS = {
  eventId: 512,
  text: 256,
  reason: 4_096,
  detailEntries: 32,
  detailValue: 2_048,
} as const;

const TEXT_FIELDS = ['eventId', 'actor', 'credentialId', 'rotationId', 'reason'] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  ...TEXT_FIELDS,
  'type',
  'at',
  'generation',
  'fingerprint',
  'outcome',
  'details',
]);
const REQUIRED_FIELDS = ['eventId', 'type', 'at', 'actor'] as const;

/** The keyring's fingerprints (`fp_` + base64url of a truncated HMAC). */
const FINGERPRINT = /^fp_[A-Za-z0-9_-]{8,86}$/;
const OUTCOME = /^[a-z][a-z0-9-]{0,31}$/;
const DETAIL_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
// A lone surrogate has no UTF-8 form, so it has no canonical JSON either (RFC 8785, 3.2.2.2).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws an InvalidInputError listing every rule `entry` breaks. */
export function assertValidEntry(entry: AuditEntry, path = 'audit entry'): void {
  const issues = entryIssues(entry);
  if (issues.length > 0) throw new InvalidInputError(path, issues);
}

export function entryIssues(candidate: unknown): FieldIssue[] {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return [{ path: '(entry)', message: 'must be an object' }];
  }
  const entry = candidate as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string): void => {
    issues.push({ path, message });
  };

  for (const field of Object.keys(entry)) {
    if (!KNOWN_FIELDS.has(field) && entry[field] !== undefined) issue(field, 'is not an audit event field');
  }
  for (const field of REQUIRED_FIELDS) {
    if (entry[field] === undefined) issue(field, 'is required');
  }

  for (const field of TEXT_FIELDS) {
    const value = entry[field];
    if (value === undefined) continue;
    const max = field === 'eventId' ? LIMITS.eventId : field === 'reason' ? LIMITS.reason : LIMITS.text;
    checkText(field, value, max, issue);
  }

  if (entry.type !== undefined && (typeof entry.type !== 'string' || !AUDIT_EVENT_TYPES.has(entry.type))) {
    issue('type', 'must be one of the AuditEventType values');
  }
  if (entry.at !== undefined && !isIsoUtc(entry.at)) {
    issue('at', 'must be an ISO 8601 UTC timestamp as Date.toISOString() writes it');
  }
  const { generation, fingerprint, outcome, details } = entry;
  if (generation !== undefined && !(Number.isSafeInteger(generation) && (generation as number) >= 0)) {
    issue('generation', 'must be a non-negative integer');
  }
  if (fingerprint !== undefined && (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint))) {
    issue('fingerprint', 'must be a key fingerprint (fp_…), never the key');
  }
  if (outcome !== undefined && (typeof outcome !== 'string' || !OUTCOME.test(outcome))) {
    issue('outcome', 'must be a short lower-case token such as succeeded or failed');
  }
  if (details !== undefined) checkDetails(details, issue);
  return issues;
}

function checkDetails(details: unknown, issue: (path: string, message: string) => void): void {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    issue('details', 'must be an object of strings, numbers and booleans');
    return;
  }
  const entries = Object.entries(details);
  if (entries.length > LIMITS.detailEntries) {
    issue('details', `must have at most ${LIMITS.detailEntries} entries`);
  }
  for (const [name, value] of entries) {
    const path = `details.${name}`;
    if (!DETAIL_NAME.test(name)) {
      issue('details', 'names must be identifiers (letters, digits, _ . -), at most 64 characters');
    } else if (isSecretName(name)) {
      issue(path, 'is named like a secret; audit details carry fingerprints and identifiers only');
    }
    if (typeof value === 'string') checkText(path, value, LIMITS.detailValue, issue);
    else if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean') {
      issue(path, 'must be a string, a finite number or a boolean');
    }
  }
}

function checkText(
  path: string,
  value: unknown,
  max: number,
  issue: (path: string, message: string) => void,
): void {
  if (typeof value !== 'string') {
    issue(path, 'must be a string');
  } else if (value.length === 0 || value.length > max) {
    issue(path, `must be 1 to ${max} characters`);
  } else if (CONTROL.test(value) && path !== 'reason') {
    issue(path, 'must not contain control characters');
  } else if (LONE_SURROGATE.test(value)) {
    issue(path, 'must be well-formed Unicode (no lone surrogates)');
  } else if (looksLikeKeyMaterial(value)) {
    issue(path, 'looks like key material; pass a fingerprint or an identifier instead');
  }
}

function isIsoUtc(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && new Date(time).toISOString() === value;
}
