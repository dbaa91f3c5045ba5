// RFC 9457 problem+json, as every error of the API is shaped (backend/ombuds/kit/errors.py).

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** 409 stage-not-allowed: the stage now, and the steps it allows. */
  stage?: string;
  allowed_actions?: string[];
  /** 410 record-destroyed: the day the record was destroyed (5.1). */
  destroyed_on?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The messages for one field, matched on its path ("incidents.0.what"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const message = inWords(e.message);
      out[e.field] = out[e.field] ? `${out[e.field]}; ${message}` : message;
    }
    return out;
  }
}

/** A message as shown: a field's code quoted in it ("on or after chosen_on") in words ("chosen on"). */
export function inWords(message: string): string {
  return message.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (code) => code.replace(/_/g, ' '));
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

export function toApiError(error: unknown, response: Response): ApiError {
  if (isProblem(error)) return new ApiError(response.status, error);
  return new ApiError(response.status, {
    title: response.statusText || 'Request failed',
    status: response.status,
    detail:
      response.status >= 500
        ? 'The server could not complete the request; nothing was saved.'
        : 'The request failed.',
  });
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiError carrying the problem. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response);
  return data as T;
}

/** The data and the ETag of a successful call (the version to send back as If-Match). */
export async function unwrapWithEtag<T>(call: Promise<Result<T>>): Promise<{ data: T; etag: string }> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response);
  return { data: data as T, etag: response.headers.get('ETag') ?? '' };
}
