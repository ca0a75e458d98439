import { createHash } from 'node:crypto'

/**
 * A stable fingerprint of a request: the same JSON in any key order gives the
 * same hex SHA-256, so an idempotent retry is recognised and a different
 * request under the same key is not.
 *
 * @example
 * ```ts
 * requestFingerprint({ a: 1, b: 2 }) === requestFingerprint({ b: 2, a: 1 }) // true
 * ```
 */
export function requestFingerprint(request: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)))
    .digest('hex')
}
