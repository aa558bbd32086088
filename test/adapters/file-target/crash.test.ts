import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { leftovers } from './support';

/**
 * Writes records with the real atomic writer in a loop; the test kills it mid-loop. CommonJS
 * because eval workers are scripts; the writer itself is imported as an ES module.
 */
const writerLoop = `
const { parentPort, workerData } = require('node:worker_threads');
const record = Buffer.from(JSON.stringify({ size: workerData.size, pad: 'x'.repeat(workerData.size) }));
import(workerData.module).then(async ({ writeFileAtomic }) => {
  for (let n = 1; ; n++) {
    await writeFileAtomic(workerData.file, record, { mode: 0o600 });
    parentPort.postMessage(n);
  }
});
`;

/** A small seeded generator, so a failing run can be replayed with the same kill schedule. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts the loop and terminates the worker once it has completed `writes` writes and the main
 * thread has let `turns` event-loop turns pass, which moves the kill around inside the next write.
 */
function killAfter(module: string, file: string, size: number, writes: number, turns: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(writerLoop, { eval: true, workerData: { module, file, size } });
    worker.on('message', (n: number) => {
      if (n !== writes) return;
      void (async () => {
        for (let turn = 0; turn < turns; turn++) await new Promise(setImmediate);
        await worker.terminate();
      })();
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      resolve();
    });
  });
}

describe('atomic writer under crashes', () => {
  let dir = '';
  let module = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyturn-crash-'));
    // The writer imports only node: modules, so stripping its types is all it takes to run it.
    const source = await readFile(
      new URL('../../../src/adapters/targets/file/atomic-write.ts', import.meta.url),
      'utf8',
    );
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const path = join(dir, 'atomic-write.mjs');
    await writeFile(path, outputText);
    module = pathToFileURL(path).href;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Starting 200 workers takes a while on a busy two-core machine; nothing here waits on a timer.
  it(
    'never leaves a torn file when the writer is killed at random points 200 times',
    { timeout: 180_000 },
    async () => {
      const next = random(20260105);
      const file = join(dir, 'crash.json');
      await writeFile(file, JSON.stringify({ size: 0, pad: '' }), { mode: 0o600 });
      let torn = 0;
      let interrupted = 0;

      for (let trial = 0; trial < 200; trial++) {
        const size = 1024 + Math.floor(next() * 64 * 1024);
        await killAfter(module, file, size, 1 + Math.floor(next() * 3), Math.floor(next() * 8));

        const record = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as {
          size?: number;
          pad?: string;
        };
        if (record.pad?.length !== record.size) torn++;
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        const staged = await leftovers(dir);
        if (staged.length > 0) interrupted++;
        await Promise.all(staged.map((name) => unlink(join(dir, name))));
      }

      expect(torn).toBe(0);
      // Kills that left a staging file behind landed inside a write; without any the test proves little.
      console.log(`atomic writer: ${interrupted} of 200 kills landed mid-write`);
      expect(interrupted).toBeGreaterThan(0);
    },
  );
});
