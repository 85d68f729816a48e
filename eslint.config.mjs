// ESLint: correctness, no `any`, small functions, and the layer rules that keep the domain pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules', 'coverage', 'dist', '.sandbox', 'src/sandbox/ui/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-len': ['error', { code: 100, ignoreUrls: true, ignoreRegExpLiterals: true }],
      // Reads are typed by their model (defineModel<Row>); a type argument on lean() would claim
      // a shape nobody checks (issue #8).
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='lean'][typeArguments]",
          message: 'lean() is typed by the model: drop the type argument (see src/db/model.ts).',
        },
      ],
    },
  },
  {
    // Domain rules are pure functions of data and `now`: no database, no pushes, no jobs.
    files: ['src/domain/**/*.ts'],
    rules: layer(
      ['**/models/*', '**/db/*', '**/outbox/*', '**/jobs/*', 'mongoose', '**/wecom/*'],
      'src/domain is pure: pass data in, return decisions; I/O belongs to the operations.',
    ),
  },
  {
    // Chat commands are thin shells: parse, call an operation, return its reply.
    files: ['src/chat/commands/**/*.ts'],
    rules: layer(
      ['**/models/*', 'mongoose'],
      'chat commands do not query models: call an operation or a query beside it.',
    ),
  },
  {
    // The WeCom adapter knows nothing about schools.
    files: ['src/wecom/**/*.ts'],
    rules: layer(
      ['**/domain/*', '**/ladder/*', '**/roster/*', '**/reports/*', '**/chat/*'],
      'src/wecom is the protocol adapter: it must not know about schools.',
    ),
  },
  {
    // Jest's config is CommonJS run by Node.
    files: ['jest.config.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', module: 'writable' },
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
