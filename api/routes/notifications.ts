import { OpenAPIHono, createRoute } from '@hono/zod-openapi'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { authenticate } from '../auth.js'
import { markNotificationRead } from '../../commerce/mark-notification-read.js'
import { decodeNotificationCursor, readNotifications } from '../../commerce/read-notifications.js'
import { ApiProblem } from '../problem.js'
import { NotificationIdParam, NotificationListQuery, NotificationPage, NotificationView } from '../schemas/notifications.js'
import { problemResponses } from '../schemas/problems.js'
import { validationProblem } from '../validation-hook.js'

/** `/v1/notifications`: the caller's inbox of order notifications, and marking one read. */
export function notificationsRouter(deps: AppDeps) {
  const anyone = authenticate()
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const list = createRoute({
    method: 'get',
    path: '/',
    summary: "The caller's notifications, newest first",
    description:
      'What the engine told the caller about their orders (placed, confirmed, shipped with tracking …), in their language. ' +
      'Keyset pages of at most 100: pass nextCursor as cursor (with the same unread filter) for the next. ' +
      "Everyone sees only their own. Each notification is also an event `notification` on its order's event stream.",
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { query: NotificationListQuery },
    responses: {
      200: { description: 'A page of notifications', content: { 'application/json': { schema: NotificationPage } } },
      ...problemResponses(400, 401),
    },
  })
  router.openapi(list, async (c) => {
    const query = c.req.valid('query')
    const before = query.cursor ? decodeNotificationCursor(query.cursor) : null
    if (query.cursor && before === null) {
      const errors = [{ in: 'query' as const, field: 'cursor', reason: 'is not a cursor this API returned' }]
      throw new ApiProblem('invalid_request', 'cursor: is not a cursor this API returned', { errors })
    }
    const page = await readNotifications(deps.db, c.var.principal, {
      unreadOnly: query.unread === 'true',
      limit: query.limit,
      before,
    })
    return c.json(page, 200)
  })

  const read = createRoute({
    method: 'post',
    path: '/{id}/read',
    summary: 'Mark one of your notifications read',
    description: 'Marking it again changes nothing (the first time is kept). Another caller’s notification is 404.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: NotificationIdParam },
    responses: {
      200: { description: 'The notification, read', content: { 'application/json': { schema: NotificationView } } },
      ...problemResponses(401, 404),
    },
  })
  router.openapi(read, async (c) => c.json(await markNotificationRead(deps.db, c.var.principal, c.req.valid('param').id), 200))

  return router
}
