import { KeyturnError } from '../../../core/errors';
import { OwnerNotKeptError } from './atomic-write';
import { FormatError } from './format';

/** Errors that configuration or the host must fix; retrying does not help. */
const fixable: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a parent in its path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ELOOP: 'its path has too many symbolic links',
  ENAMETOOLONG: 'its path is too long',
};

/** Errors of a busy or exhausted host; a later attempt may succeed. */
const transient: Readonly<Record<string, string>> = {
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EAGAIN: 'the resource is temporarily unavailable',
  EINTR: 'the call was interrupted',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EIO: 'an I/O error occurred',
};

export interface FileKey {
  readonly file: string;
  readonly key: string;
}

/**
 * Turns whatever a file operation threw into a KeyturnError naming the file and key. Format errors
 * are built from line numbers and key names only, and a parser's own message (which may quote the
 * file) never gets here, so neither the message nor the cause carries file content.
 */
export function fileError(
  error: unknown,
  action: 'read' | 'write' | 'restore',
  where: FileKey,
): KeyturnError {
  if (error instanceof KeyturnError) return error;
  const prefix = `Cannot ${action} key ${where.key} in ${where.file}`;
  const details = { file: where.file, key: where.key };
  if (error instanceof FormatError) {
    return new KeyturnError('invalid-input', `${prefix}: ${error.message}.`, { details, cause: error });
  }
  if (error instanceof OwnerNotKeptError) {
    const message = `${prefix}: ${error.message}; run keyturn as that user (or root) so the file's readers keep access.`;
    return new KeyturnError('invalid-input', message, { details, cause: error });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') {
    return new KeyturnError('internal', `${prefix}: unexpected failure.`, { details, cause: error });
  }
  const fix = fixable[code];
  if (fix !== undefined) {
    return new KeyturnError('invalid-input', `${prefix}: ${fix} (${code}).`, {
      details: { ...details, code },
      cause: error,
    });
  }
  const reason = transient[code] ?? 'an I/O error occurred';
  return new KeyturnError('unavailable', `${prefix}: ${reason} (${code}).`, {
    details: { ...details, code },
    cause: error,
  });
}
