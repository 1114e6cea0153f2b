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
    // The server speaks through its logger (levels, redaction); only the commands below print.
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error',
        { object: 'process', property: 'stdout', message: 'log through the logger' },
        { object: 'process', property: 'stderr', message: 'log through the logger' }]
    }
  },
  {
    files: ['bin/**', 'src/server.ts', 'src/admin/cli.ts', 'src/backup/restore-cli.ts', 'bench/**', 'db/migrate-cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off', 'no-restricted-properties': 'off' }
  }
]
