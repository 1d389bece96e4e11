// The page's client of the JSON API: GET with the parameters in the query
// string, the reply typed by the endpoint, a refusal thrown as an ApiError.
import type { JsonApi, JsonPath } from '../api-types.js';

/** A refusal of the API, with the message the server gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The parameters of `path`: optional where every one of them is. */
type RequestArgs<P extends JsonPath> =
  Record<string, never> extends JsonApi[P]['request']
    ? [params?: JsonApi[P]['request']]
    : [params: JsonApi[P]['request']];

/** GETs `path` with `params` in the query string. */
export async function api<P extends JsonPath>(
  path: P,
  ...[params = {}]: RequestArgs<P>
): Promise<JsonApi[P]['reply']> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) query.set(key, String(value));
  const url = Object.keys(params).length > 0 ? `${path}?${query.toString()}` : path;
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body
        ? String(body.error)
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return body as JsonApi[P]['reply'];
}
