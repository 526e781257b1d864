/** A failure with its HTTP status and ApiError code; the error plugin turns it into `{ code, message }`. */
import type { ApiErrorCode } from '../typings/api';

export class ApiFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): ApiFailure =>
  new ApiFailure(404, 'NOT_FOUND', `${what} not found`);
