import { DomainError } from '../../domain/errors.js';
import { exceptionFor } from '../errors.js';

export interface FormFailure {
  status: number;
  message: string;
}

/** A domain error a person can fix (bad name, duplicate...) re-renders its form; anything else propagates to the error page. */
export function formFailure(error: unknown): FormFailure {
  if (error instanceof DomainError) {
    const status = exceptionFor(error.code).status;
    if (status < 500) return { status, message: error.message };
  }
  throw error;
}
