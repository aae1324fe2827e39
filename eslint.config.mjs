// ESLint with typescript-eslint's type-aware rules: the ones that catch what the compiler does
// not (a promise nobody awaits, a switch that forgets a union member) fail `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Refusing control characters (CR/LF header injection) is what several patterns are for.
      'no-control-regex': 'off',
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    // Prettier lays out code at 120 columns; only src also holds its comments to that.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'max-len': 'off' },
  },
  {
    files: ['*.js'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pages' own scripts, served as they are (no bundler): ES2022 that evergreen browsers run, with
    // the browser's globals and none of Node's.
    files: ['src/interfaces/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, ecmaVersion: 2022, sourceType: 'script' },
  },
);
