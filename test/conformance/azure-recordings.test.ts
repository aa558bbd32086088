import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { startAppConfigurationEmulator } from '../emulators/app-configuration';
import { startArmEmulator } from '../emulators/arm';
import { EMULATOR_TOKEN, startKeyVaultEmulator } from '../emulators/key-vault';
import {
  conformanceDirectory,
  loadRecording,
  type OutgoingRequest,
  type RecordedEntry,
  type Recording,
  recordingFiles,
  replay,
} from './replay';

const root = join(conformanceDirectory(), 'azure-sdk-recordings');
const bearer = { authorization: `Bearer ${EMULATOR_TOKEN}` };

if (!existsSync(root)) {
  it('finds the Azure SDK recordings', () => {
    throw new Error(
      `The conformance recordings are missing: expected ${root} (../shared/conformance next to the repository). ` +
        'Restore that folder or point KEYTURN_CONFORMANCE_DIR at a copy; the emulators are unchecked without it.',
    );
  });
} else {
  describe('Key Vault emulator replays the recorded Key Vault exchanges', () => {
    it('has recordings to replay', () => {
      expect(recordingFiles(join(root, 'keyvault-secrets')).length).toBeGreaterThan(0);
    });

    for (const file of recordingFiles(join(root, 'keyvault-secrets'))) {
      it(`answers like the service in ${file}`, async () => {
        const recording = loadRecording(join(root, 'keyvault-secrets', file));
        const kv = await startKeyVaultEmulator({ recoverableDays: 7 });
        try {
          // The service is eventually consistent after delete and recover; the recording shows how
          // many polls saw the old state, and the emulator is told to show the same.
          kv.control.setReplicationLag(replicationLag(recording.Entries));
          const problems = await replay(recording, { url: kv.url, ca: kv.ca, authorize: () => bearer });
          expect(problems).toEqual([]);
        } finally {
          await kv.stop();
        }
      });
    }
  });

  describe('App Configuration emulator replays the recorded App Configuration exchanges', () => {
    it('has recordings to replay', () => {
      expect(recordingFiles(join(root, 'app-configuration')).length).toBeGreaterThan(0);
    });

    for (const file of recordingFiles(join(root, 'app-configuration'))) {
      it(`answers like the service in ${file}`, async () => {
        const recording = loadRecording(join(root, 'app-configuration', file));
        const store = await startAppConfigurationEmulator();
        try {
          // The recordings were made with HMAC (connection string) authentication; sign the same way.
          const problems = await replay(recording, {
            url: store.url,
            ca: store.ca,
            authorize: (request) => hmacHeaders(store.connectionString, store.url, request),
          });
          expect(problems).toEqual([]);
        } finally {
          await store.stop();
        }
      });
    }
  });

  describe('ARM emulator replays the recorded App Service exchange', () => {
    it('has recordings to replay', () => {
      expect(recordingFiles(join(root, 'arm-appservice')).length).toBeGreaterThan(0);
    });

    for (const file of recordingFiles(join(root, 'arm-appservice'))) {
      it(`answers like the service in ${file}`, async () => {
        const recording = loadRecording(join(root, 'arm-appservice', file));
        const arm = await startArmEmulator();
        try {
          for (const site of recordedSites(recording)) {
            arm.control.seedSite(site);
          }
          const problems = await replay(recording, { url: arm.url, ca: arm.ca, authorize: () => bearer });
          expect(problems).toEqual([]);
        } finally {
          await arm.stop();
        }
      });
    }
  });
}

/** How many reads saw the previous state after each delete and recover in the recording. */
function replicationLag(entries: readonly RecordedEntry[]): { afterDelete: number; afterRecover: number } {
  const lag = { afterDelete: 0, afterRecover: 0 };
  entries.forEach((entry, index) => {
    const path = new URL(entry.RequestUri).pathname;
    const isDelete =
      entry.RequestMethod === 'DELETE' && path.startsWith('/secrets/') && entry.StatusCode === 200;
    const isRecover = entry.RequestMethod === 'POST' && path.endsWith('/recover') && entry.StatusCode === 200;
    if (!isDelete && !isRecover) {
      return;
    }
    let misses = 0;
    for (const next of entries.slice(index + 1)) {
      if (next.RequestMethod !== 'GET' || next.StatusCode !== 404) {
        break;
      }
      misses += 1;
    }
    if (isDelete) {
      lag.afterDelete = Math.max(lag.afterDelete, misses);
    } else {
      lag.afterRecover = Math.max(lag.afterRecover, misses);
    }
  });
  return lag;
}

/** The App Configuration SDK's HMAC-SHA256 scheme, computed for the emulator's host. */
function hmacHeaders(
  connectionString: string,
  url: string,
  request: OutgoingRequest,
): Record<string, string> {
  const id = /Id=([^;]+)/.exec(connectionString)?.[1] ?? '';
  const secret = /Secret=([^;]+)/.exec(connectionString)?.[1] ?? '';
  const date = new Date().toUTCString();
  const contentHash = createHash('sha256').update(request.body).digest('base64');
  const toSign = `${request.method}\n${request.pathAndQuery}\n${date};${new URL(url).host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'base64')).update(toSign).digest('base64');
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 Credential=${id}&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

/** The sites a recording reads, so the emulator holds them as the recorded subscription did. */
function recordedSites(
  recording: Recording,
): { subscriptionId: string; resourceGroup: string; name: string }[] {
  const sites = new Map<string, { subscriptionId: string; resourceGroup: string; name: string }>();
  for (const entry of recording.Entries) {
    const match =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Web\/sites\/([^/]+)/i.exec(
        new URL(entry.RequestUri).pathname,
      );
    if (match?.[1] && match[2] && match[3]) {
      sites.set(match[0].toLowerCase(), {
        subscriptionId: match[1],
        resourceGroup: match[2],
        name: match[3],
      });
    }
  }
  return [...sites.values()];
}
