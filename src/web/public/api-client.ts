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
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as JsonApi[P]['reply'];
}

/** The ApiError of a refused request, with the server's message if it gave one. */
async function refusal(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const message =
    typeof body === 'object' && body !== null && 'error' in body
      ? String(body.error)
      : `${response.status} ${response.statusText}`;
  return new ApiError(response.status, message);
}

/**
 * GETs a newline-delimited JSON endpoint, calling `onLine` with each line as
 * it arrives; a refusal before the stream starts is thrown as an ApiError.
 */
export async function apiLines<Line>(
  path: string,
  params: Record<string, string | number>,
  onLine: (line: Line) => void,
  signal?: AbortSignal,
): Promise<void> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) query.set(key, String(value));
  const response = await fetch(`${path}?${query.toString()}`, {
    headers: { Accept: 'application/x-ndjson' },
    signal,
  });
  if (!response.ok || !response.body) throw await refusal(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') onLine(JSON.parse(line) as Line);
  }
  if (buffered.trim() !== '') onLine(JSON.parse(buffered) as Line);
}
