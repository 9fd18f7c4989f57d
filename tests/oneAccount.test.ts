/**
 * Any layout of accounts: deve, stag and prod deployed into ONE account collide on no name
 * the account (or the region) holds once, with the GitHub provider created by one stack and
 * named by the others; and each stack alone, in an account of its own, still creates what it
 * needs.
 */
import * as assert from "assert";

import { GITHUB_OIDC_HOST } from "../components/ci/githubCi";
import { STAGES } from "./harness";
import { ACCOUNT_ID, ProgramRun, RecordedResource, runProgram, stackConfig, stackRun } from "./harness";

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
    let shared: ProgramRun[];
    let creating: ProgramRun[];
    before(async () => {
        // As shipped: every stack names the account's provider, which an administrator creates once.
        shared = [];
        for (const stage of STAGES) shared.push(await stackRun(stage));
        // The documented edit: a stack that creates the provider itself (an account of its own).
        creating = [];
        for (const stage of STAGES) creating.push(await runProgram(stage, { overrides: { "federated-access:githubOidcProvider": "create" } }));
    });

    it("checks the names that matter (the inventory is not empty)", () => {
        const names = [...claims(creating).keys()];
        assert.ok(names.length >= 40, `${names.length} names`);
        for (const kind of ["role ", "policy ", "OIDC provider ", "function ", "log group ", "bucket prefix ", "trail ", "identity pool "]) {
            assert.ok(names.some((n) => n.startsWith(kind)), kind);
        }
    });

    it("ships stack files that create no GitHub provider, so no two stacks of one account collide on it", () => {
        for (const stage of STAGES) assert.strictEqual(stackConfig(stage)["federated-access:githubOidcProvider"], "existing", `Pulumi.${stage}.yaml`);
        assert.deepStrictEqual(collisions(shared), []);
        const github = shared.flatMap((run) => run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter((p) => String(p.inputs.url).includes(GITHUB_OIDC_HOST)));
        assert.strictEqual(github.length, 0, "the account's provider is an administrator's");
        assert.deepStrictEqual(new Set(shared.map((run) => run.outputs.githubOidcProviderArn)), new Set([`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`]), "all stacks trust the account's one provider");
    });

    it("would collide on the GitHub provider if two stacks of one account created it", () => {
        assert.deepStrictEqual(collisions(creating), [`OIDC provider ${GITHUB_OIDC_HOST}: ${STAGES.map((s) => `${s}/ci-github`).join(", ")}`]);
        assert.deepStrictEqual(collisions([creating[0], ...shared.slice(1)]), [], "one creating stack and the others naming it");
    });

    it("each stack alone, set to create, creates everything it trusts (an account of its own)", () => {
        for (const run of creating) {
            const created = new Set(run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => p.state.arn));
            assert.ok(created.has(run.outputs.githubOidcProviderArn), `${run.stack} creates the provider its CI roles trust`);
            assert.ok(created.has(run.outputs.oidcProviderArn));
        }
    });
});
