import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', '.dist-*/**', 'drizzle/**', 'data/**', '.tap/**', 'coverage/**'] }),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  },
  {
    rules: { 'no-console': 'error' }
  },
  {
    files: ['bin/**', 'src/server.ts', 'src/admin/cli.ts', 'src/backup/restore-cli.ts', 'bench/**', 'db/migrate-cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off' }
  }
]
