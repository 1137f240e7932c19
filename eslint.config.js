// Lint rules that catch bugs, not style (Prettier owns formatting). Type-aware rules use each
// file's own tsconfig (root, worker/, console/) (test/worker belongs to worker/tsconfig.json).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'wasm/',
      'worker/worker-configuration.d.ts',
      'bench/out/',
      'bench/.generated/',
      'test-results/',
      '.wrangler/',
      '.dist-next/',
      'console/dist/',
      'test/vectors/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './worker/tsconfig.json', './console/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited promise is a lost error or a lost write: the no-loss guarantee depends on it.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    rules: {
      // A leading underscore names what is deliberately unused (destructured away, a fixed arity).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
  },
)
