import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fileTargetAdapter, fileTargetSchema } from '../../src/adapters/targets/file';
import { ManualClock } from '../support/clock';
import { describeTargetContract } from './contract';

describeTargetContract(
  'file (.env)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyturn-contract-'));
    const file = join(dir, 'client.env');
    const config = fileTargetSchema.parse({ kind: 'file', path: file, key: 'ORDERS_API_KEY' });
    return {
      target: fileTargetAdapter.create(config, { baseDir: dir, clock: new ManualClock() }),
      resourceName: 'client.env',
      // Every write renames a new copy over the file: a new inode.
      writeMarker: async () => {
        const info = await stat(file).catch(() => undefined);
        return info ? `${info.ino}:${info.mtimeMs}:${info.size}` : 'missing';
      },
      seed: async (value) => {
        await writeFile(file, `ORDERS_API_KEY=${value}\n`, { mode: 0o600 });
      },
      stop: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { serviceFaults: false },
);
