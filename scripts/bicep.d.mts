// Types of scripts/bicep.mjs, for the TypeScript tests that import it.

export interface ResolvedBicep {
  readonly path: string;
  readonly version: string;
  readonly source: 'PATH' | 'cache' | 'nuget';
}

export interface BicepDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: 'Error' | 'Warning' | 'Info';
  readonly code: string;
  readonly message: string;
}

export interface BicepRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly diagnostics: BicepDiagnostic[];
}

export const BICEP_VERSION: string;
export const repoRoot: string;
export const cacheRoot: string;
export const infraPattern: string;
export const mainTemplate: string;
export const armTemplate: string;

export function runtimeId(): string;
export function cachedExecutable(version?: string): string;
export function canResolveBicep(): boolean;
export function resolveBicep(options?: { log?: (message: string) => void }): ResolvedBicep;
export function parseDiagnostics(output: string): BicepDiagnostic[];
export function runBicep(executable: string, args: readonly string[]): BicepRun;
export function blockingDiagnostics(result: BicepRun): BicepDiagnostic[];
export function compileMain(executable: string): string;
