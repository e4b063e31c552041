// Error classes with stable codes; every error names the input at fault and the fix (DESIGN.md "Errors").

export type ErrorCode =
  | 'USAGE'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE_API'
  | 'INPUT_INVALID'
  | 'INPUT_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'DB_MISSING'
  | 'DB_CORRUPT'
  | 'DB_UPDATE'
  | 'IMAGE_INVALID'
  | 'REGISTRY'
  | 'VERSION_INVALID'
  | 'POLICY_INVALID'
  | 'INTERNAL';

export interface BulkheadErrorOptions {
  /** The thing at fault: a file path, an address, an image reference. */
  readonly subject?: string | undefined;
  /** What the user can do about it. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

/** Base class: carries a code, the subject at fault and a hint; the CLI prints all three and exits 2. */
export class BulkheadError extends Error {
  readonly code: ErrorCode;
  readonly subject: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: BulkheadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.subject = options.subject;
    this.hint = options.hint;
  }
}

export class UsageError extends BulkheadError {
  constructor(message: string, options: BulkheadErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

export class EngineUnreachableError extends BulkheadError {
  constructor(address: string, options: Omit<BulkheadErrorOptions, 'subject'> = {}) {
    super('ENGINE_UNREACHABLE', `Docker engine unreachable at ${address}`, {
      subject: address,
      hint:
        options.hint ??
        'Start dockerd, or point bulkhead at the right daemon with --host or DOCKER_HOST (e.g. unix:///var/run/docker.sock).',
      cause: options.cause,
    });
  }
}

/** A file or document that exists but does not parse or validate; `position` is "line:column" when known. */
export class InputError extends BulkheadError {
  readonly position: string | undefined;
  constructor(
    subject: string,
    message: string,
    options: Omit<BulkheadErrorOptions, 'subject'> & { position?: string | undefined } = {},
  ) {
    super(
      'INPUT_INVALID',
      options.position === undefined
        ? `${subject}: ${message}`
        : `${subject}:${options.position}: ${message}`,
      {
        subject,
        hint: options.hint,
        cause: options.cause,
      },
    );
    this.position = options.position;
  }
}

/** Turns anything thrown into a message fit for a terminal, without a stack trace for known errors. */
export function describeError(error: unknown): string {
  if (error instanceof BulkheadError) {
    return error.hint === undefined ? error.message : `${error.message}\n  fix: ${error.hint}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Node's errno code ("ENOENT", "EACCES") of a system error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
