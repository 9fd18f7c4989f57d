// Mutation testing (`npm run mutate`): do the tests notice when a security property of the code changes?
// This config covers the read-file function's modules against the whole suite (`npm run mutate:lambdas`;
// one file: `npm run mutate:lambdas -- --mutate lambdas/readFile.ts`; the report is reports/mutation/).
// The IAM policy modules have a config of their own, run against their fast direct tests:
// stryker.policies.config.mjs (`npm run mutate:policies`). `npm run mutate` runs both. docs/mutation.md
// has the scores, the times and every surviving mutant reviewed.
import os from "node:os";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "mocha",
    // Mocha reads .mocharc.json as `npm test` does: ts-node (transpile-only) and tests/setup.ts.
    mochaOptions: { config: ".mocharc.json" },
    // The function's modules that state security properties: the token-to-credentials exchange and
    // its cache, the read-file handler, the IdToken verifier's settings (user pool, client id, token
    // use), and the signed S3 reads and Cognito Identity calls the handler makes without the AWS SDK.
    // (The IAM policy modules: stryker.policies.config.mjs. Against this whole suite they were
    // misreported: the suite reaches them in `before` hooks, which per-test coverage credits to no test.)
    mutate: [
        "lambdas/readFile.ts",
        "lambdas/identityCredentials.ts",
        "lambdas/readFileFunction.ts",
        "lambdas/s3Reader.ts",
        "lambdas/cognitoIdentity.ts",
    ],
    // Each mutant runs only the tests that reach it, not the whole ~50 s suite.
    coverageAnalysis: "perTest",
    // A static mutant (a module-level constant such as an action list) is reached only while a
    // module loads, so it runs the whole suite in a fresh process: about a minute each. Off by
    // default; `npm run mutate -- --ignoreStatic false` includes them.
    ignoreStatic: true,
    // No type checker plugin is installed: mutants that would not compile run (and usually fail) as tests.
    checkers: [],
    concurrency: Math.max(1, os.availableParallelism()),
    // Stryker times a mutant by its covering tests alone, but their suites' `before` hooks run
    // the whole program (and the IAM engine over it) again, which takes up to tens of seconds:
    // a shorter allowance reports mutants that change nothing as timeouts.
    timeoutMS: 60000,
    dryRunTimeoutMinutes: 10,
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
