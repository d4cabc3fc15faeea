// Lint: typescript-eslint with type information, for the rules that catch real bugs here:
// promises nobody awaits or handles, `any` crossing a module boundary unchecked, switches
// over a union that miss a case. Formatting is Prettier's job (npm run format:check).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.gog/**', 'test/.out/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // Style, not bugs: an async function without await is harmless here.
      '@typescript-eslint/require-await': 'off',
      // The compiler already checks these with full type information.
      'no-undef': 'off',
    },
  },
  {
    // JSON from files and the network is parsed by parseJson, which refuses over-deep nesting first.
    files: ['src/**/*.ts'],
    ignores: ['src/core/json.ts', 'src/model/replayServer.ts', 'src/model/replyReader.ts', 'src/search/cache.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'JSON', property: 'parse', message: 'use parseJson (src/core/json.ts): it refuses JSON nested too deep for the code after it' },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests poke at parsed JSON and stand-in servers: `any` there is the point of the test.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS files (mocha's configuration and reporter, which it require()s) use require.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
