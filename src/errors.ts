/**
 * Typed errors. Every failure a user can provoke is one of these, with a kind (the batch protocol's
 * `error.kind`) and a message written for people. Only the CLI decides how to show them; nothing
 * here prints a stack trace.
 */
export type ErrorKind = 'syntax' | 'shape' | 'unknown' | 'domain' | 'limit' | 'request' | 'unsupported';

export class MatcalcError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'MatcalcError';
  }
}

/** Input that does not parse; `column` is 1-based. */
export class ParseError extends MatcalcError {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super('syntax', column === undefined ? message : `${message} (at column ${column})`);
    this.name = 'ParseError';
  }
}

/** Operands whose shapes do not fit together. */
export class ShapeError extends MatcalcError {
  constructor(message: string) {
    super('shape', message);
    this.name = 'ShapeError';
  }
}

/** A name that is neither a known function nor usable as a variable. */
export class UnknownError extends MatcalcError {
  constructor(message: string) {
    super('unknown', message);
    this.name = 'UnknownError';
  }
}

/** A value outside a function's domain (log of a negative number, inverse of a singular matrix, …). */
export class DomainError extends MatcalcError {
  constructor(message: string) {
    super('domain', message);
    this.name = 'DomainError';
  }
}

/** An input over a size, depth or time limit. */
export class LimitError extends MatcalcError {
  constructor(message: string) {
    super('limit', message);
    this.name = 'LimitError';
  }
}

/** A malformed request (bad option, bad JSON, missing field). */
export class RequestError extends MatcalcError {
  constructor(message: string) {
    super('request', message);
    this.name = 'RequestError';
  }
}

/** Something matcalc does not do (yet), said plainly rather than guessed at. */
export class UnsupportedError extends MatcalcError {
  constructor(message: string) {
    super('unsupported', message);
    this.name = 'UnsupportedError';
  }
}

/**
 * A derivative whose linear map has no matrix form (no gradient, or no vec-form Jacobian): `reason`
 * says why, in words for the user. Thrown by diff/linear.ts from the rows of rules/linear.ts;
 * callers give the result as a differential instead.
 */
export class NoMatrixFormError extends UnsupportedError {
  constructor(readonly reason: string) {
    super(`no matrix form: ${reason}`);
    this.name = 'NoMatrixFormError';
  }
}

export const isMatcalcError = (e: unknown): e is MatcalcError => e instanceof MatcalcError;
