// Mutation testing of the IAM policy builders (`npm run mutate:policies`), run against their own fast
// tests only. The whole suite reaches the builders mostly through one Pulumi program run per suite, in
// `before` hooks; with per-test coverage Stryker credits a mutant only to the tests running while it
// executes, so a builder changed there is reported "survived" even where the suite would fail on it.
// tests/policies.test.ts, tests/ciPolicies.test.ts and tests/stageBoundary.test.ts build every document
// (and the boundary component, on a mock engine of their own) inside each test, so each mutant runs
// exactly the tests that read it, in seconds. Survivors and why they are equivalent:
// docs/mutation.md.
import base from "./stryker.config.mjs";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    ...base,
    mutate: ["components/policies/document.ts", "components/policies/workload.ts", "components/policies/ci.ts", "components/ci/stageBoundary.ts"],
    mochaOptions: { config: ".mocharc.json", spec: ["tests/policies.test.ts", "tests/ciPolicies.test.ts", "tests/stageBoundary.test.ts"] },
    // The action lists are module-level constants, and they are the security property: count them.
    // tests/ciPolicies.test.ts loads components/policies/ci.ts anew in each test, so its lists are not static
    // mutants; the one left (IDENTITY_ID_VARIABLE, loaded with the engine) reruns these three files
    // in a fresh process (seconds), not the whole suite.
    ignoreStatic: false,
    // The machine has 2 cores, shared; the tests take seconds, so a mutant that runs a minute hangs.
    concurrency: 2,
    timeoutMS: 20000,
    // Every policy module stays at 90 % killed or more (docs/mutation.md): below that the run fails.
    thresholds: { high: 95, low: 90, break: 90 },
    dryRunTimeoutMinutes: 2,
    htmlReporter: { fileName: "reports/mutation-policies/mutation.html" },
    jsonReporter: { fileName: "reports/mutation-policies/mutation.json" },
    incrementalFile: "reports/stryker-policies-incremental.json",
};
