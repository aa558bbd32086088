#!/usr/bin/env node
// Resolves the Bicep CLI and runs it over infra/. Plain ESM with no dependencies, so that it works
// on a fresh clone before `npm run build`.
//
// Resolution order:
//   1. a `bicep` executable on PATH (used as it is, whatever its version);
//   2. the cached copy in .cache/bicep/<rid>/<version>/ (git-ignored);
//   3. the NuGet package Azure.Bicep.CommandLine.<rid>, fetched with the machine's .NET SDK:
//      a throwaway project declares it as a PackageDownload and `dotnet restore --packages` unpacks
//      it; the executable under tools/ is then moved into the cache and made executable.
//
// Usage: node scripts/bicep.mjs <path|build|lint|exec ARGS...>
//   path   prints the resolved executable
//   build  builds every infra/**/*.bicep, then regenerates azuredeploy.json from infra/main.bicep
//   lint   lints every infra/**/*.bicep
//   build and lint fail on any warning or error, not only on errors.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version fetched from NuGet when no `bicep` is on PATH. */
export const BICEP_VERSION = process.env.KEYTURN_BICEP_VERSION || '0.49.2';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheRoot = path.join(repoRoot, '.cache', 'bicep');
export const infraPattern = 'infra/**/*.bicep';
export const mainTemplate = path.join(repoRoot, 'infra', 'main.bicep');
export const armTemplate = path.join(repoRoot, 'azuredeploy.json');

const exeName = process.platform === 'win32' ? 'bicep.exe' : 'bicep';

/** NuGet runtime identifier of this machine, as used in the package name. */
export function runtimeId() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  const osName = { linux: 'linux', darwin: 'osx', win32: 'win' }[process.platform];
  if (!arch || !osName) {
    throw new Error(`No Bicep CLI package for ${process.platform}/${process.arch}`);
  }
  return `${osName}-${arch}`;
}

function versionOf(executable) {
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const match = /version\s+(\d+\.\d+\.\d+)/i.exec(result.stdout);
  return match ? match[1] : undefined;
}

function findOnPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exeName);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where the fetched executable lives once cached. */
export function cachedExecutable(version = BICEP_VERSION) {
  return path.join(cacheRoot, runtimeId(), version, exeName);
}

function dotnetSdkMajor() {
  const result = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const major = Number.parseInt(result.stdout.trim().split('.')[0] ?? '', 10);
  return Number.isFinite(major) ? major : undefined;
}

/**
 * Whether resolveBicep() can be expected to succeed without trying it: a CLI on PATH, a cached
 * copy, or a .NET SDK to fetch one with.
 */
export function canResolveBicep() {
  return findOnPath() !== undefined || fs.existsSync(cachedExecutable()) || dotnetSdkMajor() !== undefined;
}

function findFile(dir, name) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

function fetchWithDotnet(log) {
  const major = dotnetSdkMajor();
  if (major === undefined) {
    throw new Error(
      'Bicep CLI not found: no `bicep` on PATH, no cached copy, and no .NET SDK (`dotnet`) to fetch ' +
        `Azure.Bicep.CommandLine.${runtimeId()} ${BICEP_VERSION} from NuGet.`,
    );
  }
  const rid = runtimeId();
  const packageId = `Azure.Bicep.CommandLine.${rid}`;
  fs.mkdirSync(cacheRoot, { recursive: true });
  // A private work directory per process: concurrent test workers may fetch at the same time.
  const work = fs.mkdtempSync(path.join(cacheRoot, 'restore-'));
  try {
    const project = path.join(work, 'fetch.csproj');
    fs.writeFileSync(
      project,
      [
        '<Project Sdk="Microsoft.NET.Sdk">',
        `  <PropertyGroup><TargetFramework>net${major}.0</TargetFramework></PropertyGroup>`,
        `  <ItemGroup><PackageDownload Include="${packageId}" Version="[${BICEP_VERSION}]" /></ItemGroup>`,
        '</Project>',
        '',
      ].join('\n'),
    );
    log(`Fetching ${packageId} ${BICEP_VERSION} with dotnet restore (one-off, cached in .cache/bicep/)`);
    const restore = spawnSync('dotnet', ['restore', project, '--packages', path.join(work, 'packages')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DOTNET_CLI_TELEMETRY_OPTOUT: '1',
        DOTNET_NOLOGO: '1',
        DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
      },
    });
    if (restore.error || restore.status !== 0) {
      throw new Error(
        `dotnet restore of ${packageId} ${BICEP_VERSION} failed:\n${restore.stdout ?? ''}${restore.stderr ?? ''}`,
      );
    }
    const packageDir = path.join(work, 'packages', packageId.toLowerCase(), BICEP_VERSION);
    const executable = fs.existsSync(packageDir) ? findFile(packageDir, exeName) : undefined;
    if (!executable) {
      throw new Error(`${packageId} ${BICEP_VERSION} was restored but holds no ${exeName}`);
    }
    fs.chmodSync(executable, 0o755);
    const target = cachedExecutable();
    fs.mkdirSync(path.dirname(path.dirname(target)), { recursive: true });
    try {
      fs.renameSync(path.dirname(executable), path.dirname(target));
    } catch (error) {
      // Another process won the race; its copy is as good as ours.
      if (!fs.existsSync(target)) throw error;
    }
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Finds (or fetches) the Bicep CLI. Throws when it cannot be had.
 * @returns {{ path: string, version: string, source: 'PATH' | 'cache' | 'nuget' }}
 */
export function resolveBicep({ log = (message) => process.stderr.write(`${message}\n`) } = {}) {
  const onPath = findOnPath();
  if (onPath) {
    const version = versionOf(onPath);
    if (version) return { path: onPath, version, source: 'PATH' };
  }
  const cached = cachedExecutable();
  if (fs.existsSync(cached)) {
    const version = versionOf(cached);
    if (version) return { path: cached, version, source: 'cache' };
  }
  const fetched = fetchWithDotnet(log);
  const version = versionOf(fetched);
  if (!version) throw new Error(`The fetched Bicep CLI at ${fetched} does not run`);
  return { path: fetched, version, source: 'nuget' };
}

/**
 * Diagnostics Bicep printed, one per line: `file(line,col) : Level code: message`.
 * @returns {{ file: string, line: number, column: number, level: string, code: string, message: string }[]}
 */
export function parseDiagnostics(output) {
  const diagnostics = [];
  const pattern = /^(.+?)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*)$/;
  for (const line of output.split(/\r?\n/)) {
    const match = pattern.exec(line.trim());
    if (match) {
      diagnostics.push({
        file: match[1],
        line: Number(match[2]),
        column: Number(match[3]),
        level: match[4],
        code: match[5],
        message: match[6],
      });
    }
  }
  return diagnostics;
}

/**
 * Runs the CLI from the repository root.
 * @returns {{ status: number, stdout: string, stderr: string, diagnostics: ReturnType<typeof parseDiagnostics> }}
 */
export function runBicep(executable, args) {
  const result = spawnSync(executable, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { status: result.status ?? 1, stdout, stderr, diagnostics: parseDiagnostics(stderr) };
}

/** Diagnostics that fail the build: everything but Info. */
export function blockingDiagnostics(result) {
  return result.diagnostics.filter((d) => d.level !== 'Info');
}

/** Compiles infra/main.bicep and returns the ARM template text. Throws on any warning or error. */
export function compileMain(executable) {
  const result = runBicep(executable, ['build', mainTemplate, '--stdout']);
  const blocking = blockingDiagnostics(result);
  if (result.status !== 0 || blocking.length > 0) {
    throw new Error(`bicep build infra/main.bicep failed:\n${result.stderr}`);
  }
  return result.stdout;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function report(label, result) {
  const blocking = blockingDiagnostics(result);
  if (result.status !== 0 || blocking.length > 0) {
    fail(`${label}: ${blocking.length} diagnostic(s)\n${result.stderr}${result.stdout}`);
  }
}

function main(argv) {
  const [command, ...rest] = argv;
  const bicep = resolveBicep();
  switch (command) {
    case 'path':
      process.stdout.write(`${bicep.path}\n`);
      return;
    case 'lint': {
      report('bicep lint', runBicep(bicep.path, ['lint', '--pattern', infraPattern]));
      process.stdout.write(`Linted ${infraPattern} with Bicep ${bicep.version} (${bicep.source}): clean\n`);
      return;
    }
    case 'build': {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyturn-bicep-'));
      try {
        report('bicep build', runBicep(bicep.path, ['build', '--pattern', infraPattern, '--outdir', outdir]));
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      fs.writeFileSync(armTemplate, compileMain(bicep.path));
      process.stdout.write(
        `Built ${infraPattern} with Bicep ${bicep.version} (${bicep.source}); wrote azuredeploy.json\n`,
      );
      return;
    }
    case 'exec': {
      const result = spawnSync(bicep.path, rest, { cwd: repoRoot, stdio: 'inherit' });
      process.exit(result.status ?? 1);
      return;
    }
    default:
      fail('usage: node scripts/bicep.mjs <path|build|lint|exec ARGS...>');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
