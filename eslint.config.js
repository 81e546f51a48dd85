// One lint config for the whole repo. Zero warnings allowed (npm run lint).
// The layering rules below make a wrong import fail CI:
//   shared/        imports nothing from src-*, nor any I/O or platform module;
//   src-renderer/  never imports src-main or src-server (main only via preload, server only over HTTP);
//   src-server/    never imports src-main or src-renderer;
//   src-main/      never imports src-renderer or src-server;
//   src-cli/       may use shared/, src-main/ (the scanner service) and src-server/ (the database commands:
//                  backup, restore, migrate run the server's own code), never src-renderer/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noSrc = (...dirs) =>
  dirs.map((d) => ({ group: [`**/${d}`, `**/${d}/**`], message: `Layering: this folder must not import ${d}.` }));

const platformModules = [
  'electron',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'pg',
  '@electric-sql/pglite',
  'rxdb',
  'rxdb/*',
  'dexie',
  'node-hid',
  'react',
  'react-dom',
  'child_process',
  'node:child_process',
  'http',
  'node:http',
  'net',
  'node:net',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      'artifacts/**',
      '.ci/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.node.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Asymmetric matchers (expect.any, expect.objectContaining) are typed `any` by vitest.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: platformModules
            .filter((m) => !m.includes('*'))
            .map((name) => ({ name, message: 'shared/ is pure: no I/O or platform modules.' })),
          patterns: [
            ...noSrc('src-main', 'src-renderer', 'src-server'),
            // An allow-list: shared/ imports only itself and the named pure packages.
            {
              // libphonenumber-js, @noble/hashes and @noble/curves: pure JavaScript, the same results in Node and browsers.
              regex: '^(?!(zod|ulid|libphonenumber-js|@noble/hashes|@noble/curves)(/|$)|\\.{1,2}/)',
              message:
                'shared/ is pure: it may import only shared/ and zod, ulid, libphonenumber-js, @noble/hashes or @noble/curves.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'node-hid', 'pg', '@electric-sql/pglite', 'fs', 'node:fs'].map((name) => ({
            name,
            message: 'The renderer reaches the host only through the preload API and the server only over HTTP.',
          })),
          patterns: noSrc('src-main', 'src-server'),
        },
      ],
    },
  },
  {
    // In-page bench code (bundled for Chromium by the browser benches).
    files: ['bench/browser/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron', 'node-hid', 'rxdb', 'react'], patterns: noSrc('src-main', 'src-renderer') },
      ],
    },
  },
  {
    files: ['src-cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noSrc('src-renderer') }] },
  },
  {
    files: ['src-main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: noSrc('src-renderer', 'src-server') }],
    },
  },
);
