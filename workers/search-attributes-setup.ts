import type { Connection } from '@temporalio/client'
import { SearchAttributeType } from '@temporalio/common'
import proto from '@temporalio/proto'
import type { Logger } from 'pino'
import { orderSearchAttributes } from '../workflows/search-attributes.js'

const { IndexedValueType } = proto.temporal.api.enums.v1

function indexedValueType(type: (typeof orderSearchAttributes)[number]['type']): proto.temporal.api.enums.v1.IndexedValueType {
  switch (type) {
    case SearchAttributeType.KEYWORD:
      return IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    case SearchAttributeType.INT:
      return IndexedValueType.INDEXED_VALUE_TYPE_INT
  }
}

/**
 * Registers the order search attributes a namespace is missing, so
 * `temporal workflow list --query "OrderStatus='...'"` works on any cluster.
 * Where the cluster forbids it (Temporal Cloud), logs what to register by hand.
 */
export async function ensureOrderSearchAttributes(connection: Connection, namespace: string, logger: Logger): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace })
  const known = new Set(Object.keys({ ...existing.customAttributes, ...existing.systemAttributes }))
  const missing = orderSearchAttributes.filter((key) => !known.has(key.name))
  if (missing.length === 0) return
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, indexedValueType(key.type)]))
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes })
    logger.info({ namespace, added: missing.map((key) => key.name) }, 'registered order search attributes')
  } catch (error) {
    logger.warn(
      { err: error, namespace, missing: missing.map((key) => `${key.name}=${key.type}`) },
      'could not register search attributes; register them on the cluster so orders can be listed by status',
    )
  }
}
