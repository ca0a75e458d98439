/**
 * A Server-Sent Events client for tests: opens a stream with fetch, parses
 * events and comments as they arrive, and waits for the ones a test expects.
 */

export interface ServerSentEvent {
  id: string | null
  event: string | null
  data: string
}

/** What arrives on the stream, in order: events, and comments (heartbeats). */
export type StreamItem = { kind: 'event'; event: ServerSentEvent } | { kind: 'comment'; text: string }

export interface OpenEventStream {
  status: number
  headers: Headers
  /** Everything received so far. */
  items: StreamItem[]
  events(): ServerSentEvent[]
  /** Waits until an item after position `from` satisfies `match`, and returns it with its position. */
  waitFor(
    match: (item: StreamItem) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<{ item: StreamItem; index: number }>
  close(): void
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>
}

export async function openEventStream(url: string, headers: Record<string, string>): Promise<OpenEventStream> {
  const abort = new AbortController()
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal })
  const items: StreamItem[] = []
  const waiters = new Set<() => void>()
  let finished = false
  const notify = () => {
    for (const waiter of [...waiters]) waiter()
  }

  function parseBlock(block: string): void {
    const event: ServerSentEvent = { id: null, event: null, data: '' }
    const data: string[] = []
    let isEvent = false
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        items.push({ kind: 'comment', text: line.slice(1).trim() })
        continue
      }
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') {
        data.push(value)
        isEvent = true
      } else if (field === 'id') event.id = value
      else if (field === 'event') event.event = value
    }
    if (isEvent) items.push({ kind: 'event', event: { ...event, data: data.join('\n') } })
  }

  const ended = (async () => {
    if (!response.body) return
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += value
        let boundary = buffer.indexOf('\n\n')
        while (boundary !== -1) {
          parseBlock(buffer.slice(0, boundary))
          buffer = buffer.slice(boundary + 2)
          boundary = buffer.indexOf('\n\n')
        }
        notify()
      }
    } catch {
      // aborted by close()
    } finally {
      finished = true
      notify()
    }
  })()

  return {
    status: response.status,
    headers: response.headers,
    items,
    events: () => items.flatMap((item) => (item.kind === 'event' ? [item.event] : [])),
    waitFor(match, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = items.findIndex((item, position) => position >= from && match(item))
          const item = items[index]
          if (item) {
            cleanup()
            resolve({ item, index })
          } else if (finished) {
            cleanup()
            reject(new Error(`the stream ended first; received ${JSON.stringify(items)}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`nothing matched within ${timeoutMs} ms; received ${JSON.stringify(items)}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    close: () => abort.abort(),
    ended,
  }
}

/** True for an `order` event whose order matches. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the order as JSON
export function orderEvent(match: (order: any) => boolean = () => true) {
  return (item: StreamItem) => item.kind === 'event' && item.event.event === 'order' && match(JSON.parse(item.event.data))
}
