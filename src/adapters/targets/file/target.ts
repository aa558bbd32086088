import type { Stats } from 'node:fs';
import { open, readFile, realpath } from 'node:fs/promises';

import { KeyturnError } from '../../../core/errors';
import { KeyedQueue } from '../../../core/keyed-queue';
import { SecretValue } from '../../../core/secret';
import type { Target, TargetSnapshot, WriteResult } from '../../ports';
import { deleteFileDurably, writeFileAtomic } from './atomic-write';
import { envCodec } from './env';
import { fileError, type FileKey } from './errors';
import { type FormatCodec, FormatError } from './format';
import { jsonCodec } from './json';
import { formatPointer, parsePointer } from './json-pointer';
import { propertiesCodec } from './properties';
import type { FileFormat } from './schema';
import { type DecodedText, decodeText, encodeText } from './text-file';
import { yamlCodec } from './yaml';

export const codecs = {
  env: envCodec,
  properties: propertiesCodec,
  json: jsonCodec,
  yaml: yamlCodec,
} satisfies Record<FileFormat, FormatCodec>;

export interface FileTargetOptions {
  /** Absolute path. */
  readonly file: string;
  readonly format: FileFormat;
  readonly key: string;
  readonly mode: number;
}

interface Loaded {
  /** Where to write: the file behind any symbolic link, so that the link survives. */
  readonly path: string;
  readonly bytes?: Buffer;
  readonly stat?: Stats;
  readonly content?: DecodedText;
}

const unchanged = Symbol('unchanged');
const deleted = Symbol('deleted');
type Edit = string | typeof unchanged | typeof deleted;

/** Another writer changing the file between our read and our rename makes us start over this often. */
const maxAttempts = 5;

/**
 * Read-modify-write cycles on one file run one at a time within this process, where rotations of
 * credentials sharing the file run concurrently; the re-read before each rename covers writers
 * outside it.
 */
const files = new KeyedQueue();

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * One key in one file on this host. Every write re-reads the file and renames a complete new copy
 * over it only if nobody changed it meanwhile, so two credentials may share a file.
 */
export class FileTarget implements Target {
  readonly kind = 'file';
  readonly id: string;
  readonly #options: FileTargetOptions;
  readonly #codec: FormatCodec;
  readonly #where: FileKey;

  constructor(options: FileTargetOptions) {
    this.#options = options;
    this.#codec = codecs[options.format];
    this.#where = { file: options.file, key: options.key };
    this.id = `file:${options.file}#${options.key}`;
  }

  async read(): Promise<TargetSnapshot> {
    try {
      const text = (await this.#load()).content?.text;
      if (text === undefined) return { state: 'absent', detail: { file: 'missing' } };
      const value = this.#codec.read(text, this.#options.key);
      if (value === undefined) return { state: 'absent', detail: this.#absentDetail(text) };
      return { state: 'present', value: new SecretValue(value) };
    } catch (error) {
      throw fileError(error, 'read', this.#where);
    }
  }

  async write(value: SecretValue): Promise<WriteResult> {
    return this.#update('write', (text) => this.#put(text, value.reveal()));
  }

  /**
   * A present snapshot is written back like any value. An absent one removes the key (and the
   * parents `set` created, in nested formats); when the file itself was missing and now holds
   * nothing else, the file is deleted.
   */
  async restore(snapshot: TargetSnapshot): Promise<WriteResult> {
    if (snapshot.state === 'present') {
      return this.#update('restore', (text) => this.#put(text, snapshot.value.reveal()));
    }
    const fileWasMissing = snapshot.detail?.['file'] === 'missing';
    const keepDepth = fileWasMissing ? 0 : this.#keepDepth(snapshot.detail?.['existingParent']);
    return this.#update('restore', (text) => {
      const { key } = this.#options;
      if (text === undefined || this.#codec.read(text, key) === undefined) return unchanged;
      const next = this.#codec.remove(text, key, keepDepth);
      this.#verify(next, undefined);
      return fileWasMissing && this.#codec.isEmpty(next) ? deleted : next;
    });
  }

  #put(text: string | undefined, value: string): Edit {
    const { key } = this.#options;
    if (text !== undefined && this.#codec.read(text, key) === value) return unchanged;
    if (/\p{Surrogate}/u.test(value)) throw new FormatError('the value is not well-formed Unicode');
    const next = this.#codec.set(text ?? '', key, value);
    this.#verify(next, value);
    return next;
  }

  /** Reading our own edit back catches an encoding mistake before it reaches the file. */
  #verify(next: string, expected: string | undefined): void {
    if (this.#codec.read(next, this.#options.key) === expected) return;
    throw new KeyturnError(
      'internal',
      `Editing key ${this.#options.key} in ${this.#options.file} did not read back as intended; the file was left unchanged.`,
      { details: { ...this.#where } },
    );
  }

  #absentDetail(text: string): Record<string, string> {
    const depth = this.#codec.existingDepth?.(text, this.#options.key);
    if (depth === undefined) return { file: 'present' };
    return {
      file: 'present',
      existingParent: formatPointer(parsePointer(this.#options.key).slice(0, depth)),
    };
  }

  /** How deep the key's parents went before keyturn wrote it; a foreign or missing hint prunes nothing. */
  #keepDepth(existingParent: string | undefined): number | undefined {
    const isPrefix = existingParent !== undefined && `${this.#options.key}/`.startsWith(`${existingParent}/`);
    return isPrefix ? parsePointer(existingParent).length : undefined;
  }

  async #update(action: 'write' | 'restore', edit: (text: string | undefined) => Edit): Promise<WriteResult> {
    return files.run(this.#options.file, () => this.#attempt(action, edit));
  }

  async #attempt(
    action: 'write' | 'restore',
    edit: (text: string | undefined) => Edit,
  ): Promise<WriteResult> {
    try {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const before = await this.#load();
        const next = edit(before.content?.text);
        if (next === unchanged) return { written: false };
        const stillSame = () => this.#holds(before);
        if (next === deleted) {
          if (!(await stillSame())) continue;
          await deleteFileDurably(before.path);
          return { written: true };
        }
        const bytes = encodeText(next, before.content ?? { bom: false, charset: 'utf8' });
        const owner = before.stat === undefined ? undefined : { uid: before.stat.uid, gid: before.stat.gid };
        const options = { mode: this.#options.mode, owner, beforeRename: stillSame };
        if (await writeFileAtomic(before.path, bytes, options)) return { written: true };
      }
    } catch (error) {
      throw fileError(error, action, this.#where);
    }
    throw new KeyturnError(
      'conflict',
      `Cannot ${action} key ${this.#options.key} in ${this.#options.file}: the file kept changing while keyturn wrote it.`,
      { retryable: true, details: { ...this.#where } },
    );
  }

  async #load(): Promise<Loaded> {
    let path: string;
    try {
      path = await realpath(this.#options.file);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { path: this.#options.file };
      throw error;
    }
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      const bytes = await handle.readFile();
      return { path, stat, bytes, content: decodeText(bytes, this.#options.format === 'properties') };
    } finally {
      await handle.close();
    }
  }

  /** Whether the file still holds exactly what was read (or is still missing). */
  async #holds(before: Loaded): Promise<boolean> {
    try {
      const now = await readFile(before.path);
      return before.bytes?.equals(now) ?? false;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return before.bytes === undefined;
      throw error;
    }
  }
}
