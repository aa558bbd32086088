/**
 * The parser of the npm `dotenv` package (v16, MIT), transcribed so the tests can check what a
 * Node application reading the file with it would get, without adding the package.
 */
const line =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function parseLikeDotenv(source: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = source.replace(/\r\n?/gm, '\n');
  for (const match of lines.matchAll(line)) {
    let value = (match[2] ?? '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    result[match[1] ?? ''] = value;
  }
  return result;
}
