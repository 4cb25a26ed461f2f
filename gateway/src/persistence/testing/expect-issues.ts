/** Test support: the issues of the `validation_failed` HeraldError a promise rejects with. */
import { hasErrorCode, type ValidationIssue } from '@herald/contracts';

export async function validationIssues(promise: Promise<unknown>): Promise<ValidationIssue[]> {
  try {
    await promise;
  } catch (error) {
    if (hasErrorCode(error, 'validation_failed')) return [...error.details];
    throw error;
  }
  throw new Error('expected a validation_failed HeraldError, but the call succeeded');
}
