/**
 * Any layout of accounts: deve, stag and prod deployed into ONE account collide on no name
 * the account (or the region) holds once, with the GitHub provider created by one stack and
 * named by the others; and each stack alone, in an account of its own, still creates what it
 * needs.
 */
import * as assert from "assert";

import { GITHUB_OIDC_HOST } from "../components/githubCi";
import { STAGES } from "../components/stage";
import { ProgramRun, RecordedResource, runProgram, stackRun } from "./harness";

/** Names an account (IAM: global) or a region (the rest) holds once, per resource type. */
const UNIQUE_NAMES: Record<string, (r: RecordedResource) => string | undefined> = {
    "aws:iam/role:Role": (r) => `role ${r.inputs.name ?? "(auto-named)"}`,
    "aws:iam/policy:Policy": (r) => `policy ${r.inputs.name ?? "(auto-named)"}`,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (r) => `OIDC provider ${String(r.inputs.url).replace(/^https:\/\//, "")}`,
    "aws:lambda/function:Function": (r) => `function ${r.inputs.name ?? "(auto-named)"}`,
    "aws:cloudwatch/logGroup:LogGroup": (r) => `log group ${r.inputs.name ?? "(auto-named)"}`,
    "aws:cloudtrail/trail:Trail": (r) => `trail ${r.inputs.name ?? "(auto-named)"}`,
    "aws:s3/bucket:Bucket": (r) => (r.inputs.bucket ? `bucket ${r.inputs.bucket}` : `bucket prefix ${r.inputs.bucketPrefix ?? "(auto-named)"}`),
    "aws:cognito/identityPool:IdentityPool": (r) => `identity pool ${r.inputs.identityPoolName}`,
    "aws:cognito/userPoolDomain:UserPoolDomain": (r) => `user pool domain ${r.inputs.domain}`,
};

/** Every account- or region-unique name of the runs, with who claims it. */
function claims(runs: ProgramRun[]): Map<string, string[]> {
    const byName = new Map<string, string[]>();
    for (const run of runs) {
        for (const resource of run.resources.filter((r) => r.custom)) {
            const nameOf = UNIQUE_NAMES[resource.type];
            const name = nameOf?.(resource);
            if (name === undefined || name.endsWith("(auto-named)")) continue; // Pulumi appends a random suffix
            byName.set(name, [...(byName.get(name) ?? []), `${run.stack}/${resource.name}`]);
        }
    }
    return byName;
}

function collisions(runs: ProgramRun[]): string[] {
    const found: string[] = [];
    const names = claims(runs);
    for (const [name, owners] of names) {
        if (owners.length > 1) found.push(`${name}: ${owners.join(", ")}`);
    }
    // A bucket prefix that starts another's could make a stage's policies cover the other's bucket.
    const prefixes = [...names.keys()].filter((n) => n.startsWith("bucket prefix ")).map((n) => n.slice("bucket prefix ".length));
    for (const a of prefixes) {
        for (const b of prefixes) {
            if (a !== b && b.startsWith(a)) found.push(`bucket prefix ${a} covers ${b}`);
        }
    }
    return found;
}

describe("all stages in one account", () => {
    let separate: ProgramRun[];
    let shared: ProgramRun[];
    before(async () => {
        separate = [];
        for (const stage of STAGES) separate.push(await stackRun(stage));
        shared = [separate[0]];
        for (const stage of STAGES.slice(1)) {
            shared.push(await runProgram(stage, { overrides: { "federated-access:githubOidcProvider": "existing" } }));
        }
    });

    it("checks the names that matter (the inventory is not empty)", () => {
        const names = [...claims(shared).keys()];
        assert.ok(names.length >= 40, `${names.length} names`);
        for (const kind of ["role ", "policy ", "OIDC provider ", "function ", "log group ", "bucket prefix ", "trail ", "identity pool "]) {
            assert.ok(names.some((n) => n.startsWith(kind)), kind);
        }
    });

    it("collides on nothing when one stack creates the GitHub provider and the others name it", () => {
        assert.deepStrictEqual(collisions(shared), []);
        const github = shared.flatMap((run) => run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter((p) => String(p.inputs.url).includes(GITHUB_OIDC_HOST)));
        assert.strictEqual(github.length, 1, "one GitHub provider in the account");
        assert.deepStrictEqual(new Set(shared.map((run) => run.outputs.githubOidcProviderArn)).size, 1, "all stacks trust the same provider");
    });

    it("would collide on the GitHub provider if every stack created it (the separate-account layout)", () => {
        assert.deepStrictEqual(collisions(separate), [`OIDC provider ${GITHUB_OIDC_HOST}: deve/ci-github, stag/ci-github, prod/ci-github`]);
    });

    it("each stack alone creates everything it trusts (an account of its own)", () => {
        for (const run of separate) {
            const created = new Set(run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => p.state.arn));
            assert.ok(created.has(run.outputs.githubOidcProviderArn), `${run.stack} creates the provider its CI roles trust`);
            assert.ok(created.has(run.outputs.oidcProviderArn));
        }
    });
});
