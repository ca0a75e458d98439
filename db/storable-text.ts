/** NUL, and UTF-16 surrogates that are not half of a pair: code units Postgres text and jsonb cannot hold. */
// eslint-disable-next-line no-control-regex -- NUL is one of the code units this finds
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * `text` with every code unit Postgres cannot store (NUL, a lone surrogate)
 * replaced by U+FFFD, the replacement character; everything else, emoji and
 * every script included, left as it is.
 *
 * @example
 * ```ts
 * storableText('Ada\u0000Lovelace') // 'Ada\uFFFDLovelace'
 * storableText('Lon\ud800don')      // 'Lon\uFFFDdon'
 * ```
 */
export function storableText(text: string): string {
  return text.replace(unstorable, '\ufffd')
}

/**
 * `value` with {@link storableText} applied to every string in it, keys
 * included, however deep: what a read-model writer stores, so hostile text
 * that got past the edge (a carrier's `location`, an address) is kept,
 * marked, instead of stopping every later write of the order.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T
  if (Array.isArray(value)) return value.map(storable) as T
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storable(item)])) as T
  }
  return value
}
