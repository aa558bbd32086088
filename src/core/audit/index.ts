export {
  assertSealable,
  type AuditRecord,
  type ChainHead,
  EMPTY_HEAD,
  GENESIS_HASH,
  headOf,
  linkHash,
  MAX_PAYLOAD_CHARS,
  sealRecords,
} from './chain';
export {
  AUDIT_EVENT_TYPES,
  type AuditDetails,
  type AuditEntry,
  type AuditEvent,
  AuditEventType,
  type AuditEventTypeName,
} from './events';
export { assertValidEntry, entryIssues } from './guard';
export { looksLikeKeyMaterial } from './key-material';
export { recordColumns, recordOfRow, seqKey, seqOfKey, storedRecord } from './rows';
export {
  type ChainProblem,
  ChainVerifier,
  type StoredRecord,
  verifyChain,
  type VerifyOptions,
  type VerifyReport,
} from './verify';
