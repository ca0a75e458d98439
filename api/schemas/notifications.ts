import { z } from '@hono/zod-openapi'
import { messageLanguages } from '../../domain/notification-messages.js'
import { notificationKinds } from '../../domain/notifications.js'
import { text } from '../text-field.js'

/** One notification in the customer's inbox, in their language. */
export const NotificationView = z
  .object({
    id: z.string().openapi({ description: 'The notification id (digits), for `POST /v1/notifications/{id}/read`.' }),
    orderId: z.string().uuid(),
    kind: z.enum(notificationKinds),
    occurrence: z
      .number()
      .int()
      .openapi({ description: '1 for the first notice of its kind for the order, 2 for the second (a second refund) …' }),
    language: z.enum(messageLanguages),
    subject: z.string(),
    message: z.string().openapi({ description: 'The text of the notification, paragraphs separated by blank lines.' }),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi('Notification')
export type NotificationView = z.infer<typeof NotificationView>

export const NotificationPage = z
  .object({ data: z.array(NotificationView), nextCursor: z.string().nullable() })
  .openapi('NotificationPage')

/** `GET /v1/notifications`: a page size, the previous page's cursor, and whether to list unread ones only. */
export const NotificationListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, at most 100.' }),
  cursor: text({ max: 100 }).optional().openapi({ description: "The previous page's nextCursor." }),
  unread: z.enum(['true', 'false']).optional().openapi({ description: '`true`: only notifications not yet marked read.' }),
})
export type NotificationListQuery = z.infer<typeof NotificationListQuery>

/** A notification's id in a path: anything that is not one of the caller's is 404. */
export const NotificationIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })
