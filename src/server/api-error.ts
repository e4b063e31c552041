// An error the API answers with a 4xx status and a JSON body {error, message}; never a stack, never a 500 for
// something the client sent.
export type ApiStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;

export class ApiError extends Error {
  readonly status: ApiStatus;
  readonly code: string;
  constructor(status: ApiStatus, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}
