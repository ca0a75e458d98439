/**
 * The reads' baseline: a bare `node:http` server over `pg` running the same
 * indexed SELECTs as the API, with no framework, auth, validation or view.
 * `bare-read-server.ts <database url> <port>`; tells its parent `'ready'`.
 *
 * - `GET /orders/<id>?customer=<id>`: the order by primary key, if it is the customer's
 * - `GET /orders?customer=<id>&limit=<n>`: the customer's newest orders
 */
import { createServer } from 'node:http'
import pg from 'pg'

const [databaseUrl, port = '0'] = process.argv.slice(2)
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://bare')
  const customer = url.searchParams.get('customer')
  const limit = Number(url.searchParams.get('limit') ?? 50)
  const id = /^\/orders\/([0-9a-f-]{36})$/.exec(url.pathname)?.[1]
  const query =
    id !== undefined
      ? pool.query('select * from orders where id = $1', [id]).then(({ rows }) => {
          const row = rows[0] as { customer_id: string } | undefined
          return row && row.customer_id === customer ? row : null
        })
      : pool
          .query('select * from orders where customer_id = $1 order by created_at desc, id desc limit $2', [customer, limit + 1])
          .then(({ rows }) => ({ orders: rows.slice(0, limit) }))
  query.then(
    (body) => {
      response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    },
    (error: unknown) => {
      response.writeHead(500)
      response.end(String(error))
    },
  )
})
server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'))
