/** Function names of the rotation workflow, registered next to their handlers. */
export const Orchestrators = {
  Rotate: 'rotateCredential',
  Rollback: 'rollbackCredential',
} as const;

export const Activities = {
  Plan: 'rotationPlan',
  RecordApproval: 'rotationRecordApproval',
  Generate: 'rotationGenerate',
  Distribute: 'rotationDistribute',
  Validate: 'rotationValidate',
  Promote: 'rotationPromote',
  RevokePrevious: 'rotationRevokePrevious',
  Finish: 'rotationFinish',
  Compensate: 'rotationCompensate',
  RollbackPlan: 'rollbackPlan',
  RollbackRestore: 'rollbackRestore',
  RollbackFinish: 'rollbackFinish',
  RollbackAbort: 'rollbackAbort',
} as const;

/** Rotation ids are `<credentialId>.g<generation>`: deterministic, so duplicate triggers collide. */
export function rotationIdFor(credentialId: string, generation: number): string {
  return `${credentialId}.g${generation}`;
}

export function rollbackIdFor(credentialId: string, generation: number): string {
  return `${credentialId}.rollback.g${generation}`;
}

/** The credential a rotation or rollback id belongs to (credential ids contain no dots). */
export function credentialIdOf(rotationId: string): string | undefined {
  const dot = rotationId.indexOf('.');
  return dot > 0 ? rotationId.slice(0, dot) : undefined;
}
