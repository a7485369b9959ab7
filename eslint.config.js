// @ts-check
/**
 * Lint rules: few, and each catches a real class of bug (typescript-eslint,
 * the linter the TypeScript ecosystem uses, with type information):
 * - no-floating-promises / no-misused-promises: a promise nobody awaits or
 *   catches loses its error (use `void` where dropping it is intended);
 * - no-unused-vars: dead code;
 * - consistent-type-imports: type-only imports are erased, so the import
 *   graph (test/architecture) shows what really loads at run time.
 */
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'protocols/*.ts', 'src/api/console/app/**', 'sim/out/**', 'test-output/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }]
    }
  }
)
