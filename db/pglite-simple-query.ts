import type { PGlite } from '@electric-sql/pglite'

/** A statement PostgreSQL refused, with what PGlite's own errors carry (never the statement's text). */
export class PgliteStatementError extends Error {
  constructor (
    message: string,
    readonly code: string | undefined,
    readonly severity: string | undefined,
    readonly detail: string | undefined,
    readonly constraint: string | undefined
  ) {
    super(message)
    this.name = 'PgliteStatementError'
  }
}

// Backend message types of PostgreSQL's wire protocol (its "Message Formats" chapter).
const DATA_ROW = 0x44 // 'D'
const ERROR_RESPONSE = 0x45 // 'E'
const QUERY = 0x51 // 'Q'

/** A simple-query message: 'Q', its length (itself included), the SQL and a NUL. */
function queryMessage (sql: string): Uint8Array {
  const length = Buffer.byteLength(sql)
  const message = Buffer.allocUnsafe(length + 6)
  message[0] = QUERY
  message.writeInt32BE(length + 5, 1)
  message.write(sql, 5)
  message[length + 5] = 0
  return message
}

function errorOf (reply: Buffer, start: number, end: number): PgliteStatementError {
  const fields = new Map<string, string>()
  for (let i = start; i < end && reply[i] !== 0;) {
    const nul = reply.indexOf(0, i + 1)
    fields.set(String.fromCharCode(reply[i]!), reply.toString('utf8', i + 1, nul))
    i = nul + 1
  }
  return new PgliteStatementError(fields.get('M') ?? 'statement failed', fields.get('C'), fields.get('S'), fields.get('D'), fields.get('n'))
}

/** The values of a DataRow as text, null for SQL NULL. */
function dataRowOf (reply: Buffer, start: number): Array<string | null> {
  const values: Array<string | null> = []
  let i = start + 2
  for (let n = reply.readInt16BE(start); n > 0; n--) {
    const length = reply.readInt32BE(i)
    i += 4
    if (length === -1) {
      values.push(null)
    } else {
      values.push(reply.toString('utf8', i, i + length))
      i += length
    }
  }
  return values
}

/**
 * Runs one statement through PGlite's wire protocol and answers its first row's values as text
 * (undefined when it returned none), or throws PostgreSQL's error. PGlite's `exec` does the same
 * with a second round trip into its WebAssembly (a Sync after the Query) and a general parser of
 * every reply, 15 % of a one-message append (README, "Benchmarks"). Both of PGlite's locks are
 * taken, as `exec` takes them: nothing runs between the statements of a transaction in progress.
 */
export async function firstRowOf (client: PGlite, sql: string): Promise<Array<string | null> | undefined> {
  if (client.closed) throw new Error('PGlite is closed')
  const message = queryMessage(sql)
  const raw = await client._runExclusiveTransaction(() => client._runExclusiveQuery(() => client.execProtocolRaw(message)))
  const reply = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  let row: Array<string | null> | undefined
  for (let i = 0; i + 5 <= reply.length;) {
    const type = reply[i]!
    const end = i + 1 + reply.readInt32BE(i + 1)
    if (type === ERROR_RESPONSE) throw errorOf(reply, i + 5, end)
    if (type === DATA_ROW && row === undefined) row = dataRowOf(reply, i + 5)
    i = end
  }
  return row
}
