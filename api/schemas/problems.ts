/** The problem+json body (RFC 9457) every error answers with, and the problem responses routes document. */
import { z } from '@hono/zod-openapi'

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    code: z.string(),
    reason: z.string().optional(),
    errors: z
      .array(z.object({ in: z.enum(['body', 'query', 'header', 'path']), field: z.string(), reason: z.string() }))
      .optional(),
  })
  .openapi('Problem')

/** The documented problem responses, by status. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(
    [...statuses, ...anyRouteProblems].map((status) => [
      status,
      { description: problemDescriptions[status] ?? 'Problem', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  ) as Record<
    S[number] | (typeof anyRouteProblems)[number],
    { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }
  >
}

/** What any route may answer when something behind it fails: documented everywhere, so clients plan for it. */
const anyRouteProblems = [500, 503, 504] as const

const problemDescriptions: Record<number, string> = {
  400: 'The request is not valid; `errors` names each field and why',
  401: 'No valid bearer token',
  403: 'The token lacks the role this needs',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state, or the same Idempotency-Key is still in flight',
  413: 'The body is larger than the API accepts',
  422: 'Well-formed but cannot be done (see `errors`)',
  429: 'Too many requests; retry after `Retry-After` seconds',
  500: 'An internal error; quote `requestId` to support',
  503: 'A service the API needs is unavailable; retry',
  504: 'The request took too long; retry with the same Idempotency-Key',
}
