import t from 'tap'
import { createPglite, usePglite } from '../../db/embedded.js'
import { currentTemplate } from '../../db/pglite-template.js'

const SCHEMA = `
  select 'column' as kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as what
    from information_schema.columns where table_schema = 'public'
  union all
  select 'index', indexdef from pg_indexes where schemaname = 'public'
  union all
  select 'constraint', conrelid::regclass || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
  union all
  select 'migration', hash from drizzle.__drizzle_migrations
  order by 1, 2`

t.test('the committed template matches drizzle/ and the installed PGlite (else: npm run db:template)', async (t) => {
  t.ok(currentTemplate() !== undefined, 'db/pglite-template is current and intact')
})

t.test('a database from the template is the one migrations build from scratch, and gets its Family room', async (t) => {
  const template = currentTemplate()
  if (template === undefined) return t.fail('no current template')
  const scratch = await createPglite()
  t.teardown(() => scratch.close())
  await usePglite(scratch).migrate()

  const client = await createPglite({ loadDataDir: template })
  t.teardown(() => client.close())
  const familyRooms = async (): Promise<unknown[]> => (await client.query('select count(*)::int as n from rooms where is_family')).rows
  t.same(await familyRooms(), [{ n: 0 }], 'the template holds the schema only: no Family room id shared by every install')
  await usePglite(client).migrate()
  t.same(await familyRooms(), [{ n: 1 }], 'the Family room is seeded at start')
  const expected = (await scratch.query(SCHEMA)).rows
  t.ok(expected.length > 20, `the comparison covers the schema (${expected.length} entries)`)
  t.same((await client.query(SCHEMA)).rows, expected, 'same tables, columns, indexes, constraints and applied migrations')
})

t.test('PGlite extends a new WAL segment instead of writing it full of zeros under a commit', async (t) => {
  const client = await createPglite()
  t.teardown(() => client.close())
  t.same((await client.query('show wal_init_zero')).rows, [{ wal_init_zero: 'off' }])
})
