import { Reply } from './operation';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

/**
 * A real WHATWG Response, because the SDK reads `ok`, `status`, `statusText`, `text()`
 * and the trace header from it; the trace id ends up in ForgeKvsAPIError.responseDetails.
 */
export function toResponse(reply: Reply, traceId: string): Response {
  const init = { status: reply.status, statusText: STATUS_TEXT[reply.status] ?? '' };
  if (reply.json === undefined) return new Response(null, { ...init, headers: { 'x-b3-traceid': traceId } });
  return new Response(reply.json, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-b3-traceid': traceId },
  });
}
