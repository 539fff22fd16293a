/** Two projects: unit needs nothing running; integration starts real Kafka, OpenSearch, S3 and Redis. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // ESM-only dependencies must be transformed for jest's CommonJS runtime.
  transformIgnorePatterns: [
    '/node_modules/(?!(linkedom|htmlparser2|domhandler|domutils|dom-serializer|domelementtype|entities|uhyphen|html-escaper|htmlparser2|cssom|cssomnom|css-select|css-what|boolbase|nth-check|@apidevtools/json-schema-ref-parser)/)',
  ],
  moduleNameMapper: {
    '^@curation/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@curation/testing/([a-z-]+)$': '<rootDir>/libs/testing/src/$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/.infra', '<rootDir>/dist', '<rootDir>/.*/dist/'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,infra,scripts}/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/unit-timeout.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,infra,scripts,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
  ],
};
