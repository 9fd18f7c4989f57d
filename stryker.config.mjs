// Mutation testing (`npm run mutate`): do the tests notice when a security property of the code changes?
// This config covers the read-file function's modules (`npm run mutate:lambdas`; one file:
// `npm run mutate:lambdas -- --mutate lambdas/readFile.ts`; the report is reports/mutation/), run against
// their fast direct tests only. The IAM policy modules have a config of their own that extends this one:
// stryker.policies.config.mjs (`npm run mutate:policies`). `npm run mutate` runs both. docs/mutation.md
// has the scores, the times and every surviving mutant reviewed.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "mocha",
    // Mocha reads .mocharc.json as `npm test` does (ts-node, transpile-only, and tests/setup.ts), but only
    // the files that call these modules directly, inside each test, in seconds. The whole suite also
    // reaches them through the Pulumi program and bundles run in `before` hooks, which per-test coverage
    // credits to no test: a mutant executed there ran no test and was reported "survived", and a run
    // against the whole suite did not finish in 30 min.
    mochaOptions: {
        config: ".mocharc.json",
        spec: [
            "tests/readFile.test.ts",
            "tests/identityCredentials.test.ts",
            "tests/readFileFunction.test.ts",
            "tests/s3Reader.test.ts",
            "tests/cognitoIdentity.test.ts",
            "tests/throttling.test.ts",
        ],
    },
    // The function's modules that state security properties: the token-to-credentials exchange and
    // its cache, the read-file handler, the IdToken verifier's settings (user pool, client id, token
    // use), and the signed S3 reads and Cognito Identity calls the handler makes without the AWS SDK.
    mutate: [
        "lambdas/readFile.ts",
        "lambdas/identityCredentials.ts",
        "lambdas/readFileFunction.ts",
        "lambdas/s3Reader.ts",
        "lambdas/cognitoIdentity.ts",
    ],
    // Each mutant runs only the tests that reach it.
    coverageAnalysis: "perTest",
    // A static mutant (a module-level constant such as the token's shape or its longest length) is
    // reached only while a module loads, so it reruns the spec files above in a fresh process
    // (seconds). They count: the token guard is a security property.
    ignoreStatic: false,
    // No type checker plugin is installed: mutants that would not compile run (and usually fail) as tests.
    checkers: [],
    // The machine has 2 cores, shared; the tests take seconds, so a mutant that runs a minute hangs.
    concurrency: 2,
    timeoutMS: 20000,
    // Every module stays at 90 % killed or more (docs/mutation.md): below that the run fails.
    thresholds: { high: 95, low: 90, break: 90 },
    dryRunTimeoutMinutes: 2,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/mutation.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    // `--incremental` reuses reports/stryker-incremental.json: only mutants whose code or tests changed run again.
    incrementalFile: "reports/stryker-incremental.json",
    // Build output and local state stay out of the sandboxes: a handler bundle left in bin/ by an
    // earlier `npm test` has the same name as the instrumented code's, and would be taken for it.
    ignorePatterns: ["/bin", "/.pulumi", "/.smoke"],
    tempDirName: ".stryker-tmp",
    cleanTempDir: true,
};
