// Lint: type-aware rules, plus the dependency direction of ARCHITECTURE.md:
// lib/ and topology/ are framework-free (no Moleculer, Fastify, drivers or metrics client).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const FRAMEWORKS = ['moleculer', 'fastify', '@fastify/*', 'cassandra-driver', 'nats', 'prom-client'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.services/**', 'bench/results/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts', 'topology/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: FRAMEWORKS, message: 'lib/ and topology/ stay framework-free: no Moleculer, Fastify, drivers or prom-client (ARCHITECTURE.md).' },
          { group: ['**/services/**', '**/adapters/**', '**/storage-nodes/**', '**/monitoring/**', '**/bin/**'], message: 'lib/ must not import the layers built on it.' },
        ],
      }],
    },
  },
  {
    // services/start-node.ts composes them; inside a service's folder, other services are off limits
    // (services/broker/ is the broker's own machinery, shared by all).
    files: ['services/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!\\.\\.|broker/)[^/]+/', message: 'A service does not import another service\'s internals: talk through actions and events.' }],
      }],
    },
  },
  { files: ['eslint.config.js', 'scripts/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
