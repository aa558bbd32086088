import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Only node: imports, so that the crash test can load this module into a worker without a build.

export interface AtomicWriteOptions {
  /** Permissions of the new file, exactly (the process umask does not apply). */
  readonly mode: number;
  /** Owner and group to give the new file: those of the file it replaces, so its readers keep access. */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /** Last look just before the rename; returning false abandons the write and leaves the target alone. */
  readonly beforeRename?: () => Promise<boolean>;
}

/** The new file could not be given the owner of the file it replaces. */
export class OwnerNotKeptError extends Error {
  override readonly name = 'OwnerNotKeptError';
}

/**
 * Staging name: next to the target so that the rename stays on one file system, hidden (leading
 * dot) so that tools globbing the directory skip it, and recognisable as keyturn's leftovers.
 */
export function stagingPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.keyturn-${randomBytes(6).toString('hex')}.tmp`);
}

/** Flushes a directory entry change (a rename or unlink) so that it survives a power loss. */
export async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for flushing; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems do not flush directories at all; the rename is as durable as they allow.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

async function keepOwner(handle: FileHandle, owner: { readonly uid: number; readonly gid: number }) {
  const stat = await handle.stat();
  if (stat.uid === owner.uid && stat.gid === owner.gid) return;
  try {
    await handle.chown(owner.uid, owner.gid);
  } catch (error) {
    throw new OwnerNotKeptError(`cannot give the new file owner ${owner.uid}:${owner.gid}`, { cause: error });
  }
}

/**
 * Replaces `file` with `data` so that readers, and a crash at any instant, see the old content or
 * the new, never a mix: the data is written to a staging file in the same directory (created
 * 0600, so it is never readable by others), flushed, given its mode and owner, and renamed over
 * the target; then the directory is flushed. A missing target is created the same way. Returns
 * false when `beforeRename` vetoed the write.
 */
export async function writeFileAtomic(
  file: string,
  data: Uint8Array,
  options: AtomicWriteOptions,
): Promise<boolean> {
  const staging = stagingPathFor(file);
  let handle: FileHandle | undefined = await open(staging, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    if (options.owner !== undefined) await keepOwner(handle, options.owner);
    await handle.chmod(options.mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.beforeRename !== undefined && !(await options.beforeRename())) {
      await unlink(staging);
      return false;
    }
    await rename(staging, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(staging).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(file));
  return true;
}

/** Deletes a file and flushes its directory. */
export async function deleteFileDurably(file: string): Promise<void> {
  await unlink(file);
  await syncDirectory(dirname(file));
}
