/**
 * A backstop against key material reaching the audit log by mistake. The contract is that callers
 * pass fingerprints and identifiers only; this catches the common slips (a stringified
 * SecretValue, a connection string, a PEM block, a bearer token, a base64 key) without refusing
 * the identifiers audit events do carry: GUIDs, ULIDs, hex versions and digests, resource ids and
 * camelCase names. It cannot tell a hex key from a hex digest, so hex is let through.
 */

/** Detail names that only ever hold a secret; `secretName`, `keyVersion` and the like are fine. */
const SECRET_NAMES = new Set([
  'key',
  'value',
  'secret',
  'secretvalue',
  'keyvalue',
  'password',
  'passwd',
  'pwd',
  'apikey',
  'accesskey',
  'primarykey',
  'secondarykey',
  'privatekey',
  'clientsecret',
  'connectionstring',
  'token',
  'accesstoken',
  'bearertoken',
  'sastoken',
  'sas',
  'signature',
]);

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase().replace(/[-_.]/g, ''));
}

const TELLTALES: readonly RegExp[] = [
  // What SecretValue prints: someone interpolated a secret into this string.
  /\[redacted\]/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig|password|pwd|client_secret|api[-_]?key|access_token)=/i,
  /\bBearer\s+\S{16,}/i,
  // A JWT: two base64url JSON segments.
  /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}/,
];

const MIN_RUN = 24;
// Base64 and base64url alphabets: a key's `+ / - _` must not split it into short runs.
const RUN = /[A-Za-z0-9+/_-]{24,}/g;

export function looksLikeKeyMaterial(value: string): boolean {
  if (TELLTALES.some((pattern) => pattern.test(value))) return true;
  for (const match of value.matchAll(RUN)) {
    if (isHighEntropyRun(match[0])) return true;
  }
  return false;
}

/**
 * A long base64-alphabet run that mixes upper case, lower case and digits and changes between
 * character classes often. Random base64 changes class at about 60% of positions (97% of 32-byte
 * keys are caught); paths, camelCase words and versioned names change only at word boundaries,
 * and hex, GUID and base32 ids lack a class.
 */
function isHighEntropyRun(run: string): boolean {
  if (run.length < MIN_RUN) return false;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let changes = 0;
  let previous = -1;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    const kind = code < 48 || code === 95 ? 3 : code <= 57 ? 0 : code <= 90 ? 1 : 2;
    if (kind === 0) digit++;
    else if (kind === 1) upper++;
    else if (kind === 2) lower++;
    if (previous !== -1 && kind !== previous) changes++;
    previous = kind;
  }
  return upper >= 2 && lower >= 2 && digit >= 2 && changes >= (run.length - 1) / 2;
}
