/**
 * OIDC federation and keyless CI, decided by the IAM policy engine over the synthesized
 * trust and identity policies.
 */
import * as assert from "assert";

import { GITHUB_OIDC_HOST, githubSubjects } from "../components/githubCi";
import { identityPoolTrustPolicy } from "../components/policies";
import { Stage, STAGES } from "../components/stage";
import { ACCOUNT_ID, policiesOfRole, policyOf, ProgramRun, runProgram, stackRun } from "./harness";
import { decide, Decision, mapWebIdentityKeys, sessionOf } from "../analysis/engine";

const REPO = "example-org/federated-access"; // as in the stack files
const roleNameOf = (arn: string) => arn.split("/").pop() as string;
const TLS = { "aws:SecureTransport": "true" };

describe("web identity key mapping (policy engine helper)", () => {
    it("changes no decision for keys the engine already evaluates", async () => {
        // cognito-identity.amazonaws.com:aud/sub are evaluated natively: decide each request
        // with and without renaming them, and demand the same answer.
        const trust = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: "cognito-identity.amazonaws.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: { "cognito-identity.amazonaws.com:aud": "pool-1" },
                        StringLike: { "cognito-identity.amazonaws.com:sub": "ap-northeast-1:*" },
                    },
                },
            ],
        };
        const contexts: Record<string, string>[] = [
            { "cognito-identity.amazonaws.com:aud": "pool-1", "cognito-identity.amazonaws.com:sub": "ap-northeast-1:abc" },
            { "cognito-identity.amazonaws.com:aud": "pool-2", "cognito-identity.amazonaws.com:sub": "ap-northeast-1:abc" },
            { "cognito-identity.amazonaws.com:aud": "pool-1", "cognito-identity.amazonaws.com:sub": "us-east-1:abc" },
            { "cognito-identity.amazonaws.com:aud": "pool-1" },
            {},
        ];
        const decisions: [Decision, Decision][] = [];
        for (const context of contexts) {
            const base = { principal: "cognito-identity.amazonaws.com", action: "sts:AssumeRoleWithWebIdentity", resource: `arn:aws:iam::${ACCOUNT_ID}:role/r`, resourcePolicy: trust, context };
            decisions.push([await decide(base), await decide({ ...base, webIdentityProvider: "cognito-identity.amazonaws.com" })]);
        }
        assert.deepStrictEqual(
            decisions.map(([native]) => native),
            ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"],
        );
        for (const [native, mapped] of decisions) {
            assert.strictEqual(mapped, native);
        }
    });

    it("refuses a claim it has no mapping for, and a policy already using the target keys", () => {
        assert.throws(() => mapWebIdentityKeys(GITHUB_OIDC_HOST, undefined, { [`${GITHUB_OIDC_HOST}:repository`]: "x" }), /no mapping for claim 'repository'/);
        assert.throws(() => mapWebIdentityKeys(GITHUB_OIDC_HOST, identityPoolTrustPolicy("p"), { "accounts.google.com:aud": "x" }), /already used/);
    });
});

for (const stage of STAGES) {
    describe(`OIDC federation and CI roles (${stage})`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await stackRun(stage);
        });

        describe("user pool IdToken → AssumeRoleWithWebIdentity", () => {
            const assume = (providerArn: string, provider: string, aud: string) =>
                decide({
                    principal: providerArn,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: run.outputs.oidcReaderRoleArn,
                    resourcePolicy: policyOf(run.one("aws:iam/role:Role", "oidc-role"), "assumeRolePolicy"),
                    context: { [`${provider}:aud`]: aud, [`${provider}:sub`]: "5f1c0b3e-user" },
                    webIdentityProvider: provider,
                });

            it("admits an IdToken of this user pool's app client", async () => {
                assert.strictEqual(await assume(run.outputs.oidcProviderArn, run.outputs.userPoolProviderName, run.outputs.userPoolClientId), "Allowed");
            });
            it("refuses another audience (another app client)", async () => {
                assert.notStrictEqual(await assume(run.outputs.oidcProviderArn, run.outputs.userPoolProviderName, "anotherclientid"), "Allowed");
            });
            it("refuses a token of another provider", async () => {
                const other = "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Other";
                assert.notStrictEqual(await assume(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${other}`, other, run.outputs.userPoolClientId), "Allowed");
                assert.notStrictEqual(
                    await assume(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`, GITHUB_OIDC_HOST, run.outputs.userPoolClientId),
                    "Allowed",
                );
            });

            it("reads the user files bucket, and cannot write it or touch another bucket", async () => {
                const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
                    decide({
                        principal: sessionOf(run.outputs.oidcReaderRoleArn, "web-identity"),
                        action,
                        resource,
                        identityPolicies: policiesOfRole(run, roleNameOf(run.outputs.oidcReaderRoleArn)),
                        resourcePolicy: policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "user-files-policy")),
                        context: { ...TLS, ...context },
                    });
                const bucket = run.outputs.userFilesBucket;
                assert.strictEqual(await ask("s3:GetObject", `arn:aws:s3:::${bucket}/cognito-test/any/data.txt`), "Allowed");
                assert.strictEqual(await ask("s3:ListBucket", `arn:aws:s3:::${bucket}`, { "s3:prefix": "" }), "Allowed");
                for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
                    assert.notStrictEqual(await ask(action, `arn:aws:s3:::${bucket}/cognito-test/any/data.txt`), "Allowed", action);
                }
                assert.notStrictEqual(await ask("s3:GetObject", "arn:aws:s3:::another-bucket/data.txt"), "Allowed");
                assert.notStrictEqual(await ask("s3:ListAllMyBuckets", "*"), "Allowed");
            });
        });

        describe("GitHub Actions → CI roles", () => {
            const subjects = () => githubSubjects({ repository: REPO, deployEnvironment: stage });
            const assume = (kind: "preview" | "deploy", sub: string, aud = "sts.amazonaws.com") =>
                decide({
                    principal: run.outputs.githubOidcProviderArn,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: run.outputs[kind === "preview" ? "ciPreviewRoleArn" : "ciDeployRoleArn"],
                    resourcePolicy: policyOf(run.one("aws:iam/role:Role", `ci-${kind}`), "assumeRolePolicy"),
                    context: { [`${GITHUB_OIDC_HOST}:aud`]: aud, [`${GITHUB_OIDC_HOST}:sub`]: sub },
                    webIdentityProvider: GITHUB_OIDC_HOST,
                });

            it("a pull-request token of the repository gets the preview role only", async () => {
                assert.strictEqual(await assume("preview", `repo:${REPO}:pull_request`), "Allowed");
                assert.notStrictEqual(await assume("deploy", `repo:${REPO}:pull_request`), "Allowed");
            });
            it(`a job of the '${stage}' environment gets the deploy role, not the preview role`, async () => {
                assert.strictEqual(subjects().deploy, `repo:${REPO}:environment:${stage}`);
                assert.strictEqual(await assume("deploy", subjects().deploy), "Allowed");
                assert.notStrictEqual(await assume("preview", subjects().deploy), "Allowed");
            });
            it("the deploy role refuses other branches, other environments and plain pushes", async () => {
                for (const sub of [
                    `repo:${REPO}:ref:refs/heads/feature`,
                    `repo:${REPO}:ref:refs/heads/main`,
                    `repo:${REPO}:environment:${stage}-copy`,
                    `repo:${REPO}:environment:${STAGES.find((s) => s !== stage)}`,
                ]) {
                    assert.notStrictEqual(await assume("deploy", sub), "Allowed", sub);
                }
            });
            it("a token of another repository (or a look-alike) gets neither role", async () => {
                for (const repo of ["other-org/federated-access", "example-org/federated-access-fork", "example-org/federated"]) {
                    assert.notStrictEqual(await assume("preview", `repo:${repo}:pull_request`), "Allowed", repo);
                    assert.notStrictEqual(await assume("deploy", `repo:${repo}:environment:${stage}`), "Allowed", repo);
                }
            });
            it("a token for another audience gets neither role", async () => {
                assert.notStrictEqual(await assume("preview", `repo:${REPO}:pull_request`, "https://github.com/example-org"), "Allowed");
                assert.notStrictEqual(await assume("deploy", subjects().deploy, "https://github.com/example-org"), "Allowed");
            });
        });

        describe("CI roles' rights", () => {
            const ask = (kind: "preview" | "deploy", action: string, resource: string, context: Record<string, string> = {}) =>
                decide({
                    principal: sessionOf(run.outputs[kind === "preview" ? "ciPreviewRoleArn" : "ciDeployRoleArn"], "ci"),
                    action,
                    resource,
                    identityPolicies: policiesOfRole(run, roleNameOf(run.outputs[kind === "preview" ? "ciPreviewRoleArn" : "ciDeployRoleArn"])),
                    context: { ...TLS, "aws:RequestedRegion": "ap-northeast-1", ...context },
                });
            const bucket = () => run.outputs.userFilesBucket as string;

            it("neither reads nor writes user files", async () => {
                for (const kind of ["preview", "deploy"] as const) {
                    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                        assert.notStrictEqual(await ask(kind, action, `arn:aws:s3:::${bucket()}/cognito-test/x/data.txt`), "Allowed", `${kind} ${action}`);
                    }
                }
            });
            it("preview reads the stage's configuration and changes nothing", async () => {
                assert.strictEqual(await ask("preview", "s3:GetBucketPolicy", `arn:aws:s3:::${bucket()}`), "Allowed");
                assert.strictEqual(await ask("preview", "iam:GetRole", run.outputs.userRoleArn), "Allowed");
                assert.notStrictEqual(await ask("preview", "s3:PutBucketPolicy", `arn:aws:s3:::${bucket()}`), "Allowed");
                assert.notStrictEqual(await ask("preview", "iam:PutRolePolicy", run.outputs.userRoleArn), "Allowed");
                assert.notStrictEqual(await ask("preview", "lambda:UpdateFunctionCode", `arn:aws:lambda:ap-northeast-1:${ACCOUNT_ID}:function:x`), "Allowed");
            });
            it("deploy manages the stage's roles and buckets, not the CI roles or another stage's", async () => {
                assert.strictEqual(await ask("deploy", "iam:PutRolePolicy", run.outputs.userRoleArn), "Allowed");
                assert.strictEqual(await ask("deploy", "iam:UpdateAssumeRolePolicy", run.outputs.stageAccessRoleArn), "Allowed");
                assert.strictEqual(await ask("deploy", "s3:PutBucketPolicy", `arn:aws:s3:::${bucket()}`), "Allowed");
                for (const ciRole of [run.outputs.ciDeployRoleArn, run.outputs.ciPreviewRoleArn]) {
                    assert.notStrictEqual(await ask("deploy", "iam:PutRolePolicy", ciRole), "Allowed", `may not change ${ciRole}`);
                    assert.notStrictEqual(await ask("deploy", "iam:UpdateAssumeRolePolicy", ciRole), "Allowed");
                }
                const other = STAGES.find((s) => s !== stage) as Stage;
                assert.notStrictEqual(await ask("deploy", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT_ID}:role/federated-access/${other}/x`), "Allowed");
                assert.notStrictEqual(await ask("deploy", "s3:DeleteBucket", `arn:aws:s3:::federated-access-${other}-user-files-x`), "Allowed");
                assert.notStrictEqual(await ask("deploy", "iam:CreateRole", `arn:aws:iam::${ACCOUNT_ID}:role/AnyRole`), "Allowed");
            });
            it("deploy passes the stage's roles to Lambda and Cognito Identity only", async () => {
                const pass = (service: string) => ask("deploy", "iam:PassRole", run.outputs.userRoleArn, { "iam:PassedToService": service });
                assert.strictEqual(await pass("lambda.amazonaws.com"), "Allowed");
                assert.strictEqual(await pass("cognito-identity.amazonaws.com"), "Allowed");
                assert.notStrictEqual(await pass("ec2.amazonaws.com"), "Allowed");
            });
        });
    });
}

describe("CI roles without a deploy environment", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("deve", { overrides: { "federated-access:githubDeployEnvironment": undefined } });
    });
    const assumeDeploy = (sub: string) =>
        decide({
            principal: run.outputs.githubOidcProviderArn,
            action: "sts:AssumeRoleWithWebIdentity",
            resource: run.outputs.ciDeployRoleArn,
            resourcePolicy: policyOf(run.one("aws:iam/role:Role", "ci-deploy"), "assumeRolePolicy"),
            context: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: sub },
            webIdentityProvider: GITHUB_OIDC_HOST,
        });

    it("trusts pushes to main only", async () => {
        assert.strictEqual(await assumeDeploy(`repo:${REPO}:ref:refs/heads/main`), "Allowed");
        for (const sub of [`repo:${REPO}:ref:refs/heads/mainline`, `repo:${REPO}:pull_request`, `repo:${REPO}:ref:refs/tags/main`]) {
            assert.notStrictEqual(await assumeDeploy(sub), "Allowed", sub);
        }
    });
});

describe("CI roles with an existing GitHub provider, or none", () => {
    it("uses the configured provider instead of creating one", async () => {
        const arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`;
        const run = await runProgram("stag", { overrides: { "federated-access:githubOidcProviderArn": arn } });
        assert.strictEqual(run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter((p) => String(p.inputs.url).includes("github")).length, 0);
        assert.strictEqual(policyOf(run.one("aws:iam/role:Role", "ci-preview"), "assumeRolePolicy").Statement[0].Principal.Federated, arn);
    });
    it("creates no CI role when no repository is configured", async () => {
        const run = await runProgram("stag", { overrides: { "federated-access:githubRepository": undefined, "federated-access:githubDeployEnvironment": undefined } });
        assert.strictEqual(run.ofType("federated-access:ci:GitHubCiRoles").length, 0);
        assert.strictEqual(run.outputs.ciDeployRoleArn, undefined);
    });
});
