import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the test configuration's targets hold right now, read as a consumer would. */
export function envValue(dir: string, key = 'ORDERS_API_KEY'): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'client.env'), 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split(/\r?\n/).find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).replace(/^"(.*)"$/, '$1');
}

export function jsonValue(dir: string): string | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dir, 'appsettings.json'), 'utf8')) as {
      Orders?: { ApiKey?: string };
    };
    return doc.Orders?.ApiKey;
  } catch {
    return undefined;
  }
}
