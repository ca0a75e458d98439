import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { storableText } from './storable-text.js'

/** Where an order's notification mails go and in which language; null for what is not known. */
export interface OrderContact {
  email: string | null
  language: string | null
}

/** The `orders` columns of a contact, with text Postgres cannot hold made storable. */
export function orderContactColumns(contact: OrderContact) {
  return {
    contact_email: contact.email === null ? null : storableText(contact.email),
    contact_language: contact.language,
  }
}

/**
 * Writes the order's contact on its read-model row (which the placement has
 * just written, or the workflow before it). The placement writes it with the row
 * (`savePlacedOrder`); the workflow's own writes of the row leave these columns alone.
 */
export async function recordOrderContact(db: Kysely<Database>, orderId: string, contact: OrderContact): Promise<void> {
  await db.updateTable('orders').set(orderContactColumns(contact)).where('id', '=', orderId).execute()
}
