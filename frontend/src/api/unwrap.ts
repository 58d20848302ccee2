import { ApiError } from "./client";

/** What a call of the typed client answers: its data when ok, its error body when not. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an answer, or the answer's ApiError when it was not ok or had no body. */
export function unwrap<T>({ data, error, response }: Answer<T>): NonNullable<T> {
  if (!response.ok || data === undefined || data === null) throw ApiError.of(response, error);
  return data;
}

/** Nothing, or the answer's ApiError when it was not ok (for answers without a body). */
export function expectOk({ error, response }: Answer<unknown>): void {
  if (!response.ok) throw ApiError.of(response, error);
}
