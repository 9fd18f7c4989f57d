/**
 * Per-user isolation, decided by a real IAM policy engine over the policies the program
 * synthesizes for each stack (not over hand-written copies).
 */
import * as assert from "assert";

import { STAGES } from "./harness";
import { ACCOUNT_ID, policyOf, ProgramRun, stackRun } from "./harness";
import { decide, Decision, sessionOf } from "../analysis/engine";
import { identityPoolTrustPolicy, perIdentityStoragePolicy, tlsOnlyBucketPolicy, workloadBoundaryPolicy } from "../components/policies";
import { PROVIDER_NAME, REGION } from "./support/tokens";

const A = "ap-northeast-1:aaaaaaaa-0000-4000-8000-000000000001";
const B = "ap-northeast-1:bbbbbbbb-0000-4000-8000-000000000002";
const TLS = { "aws:SecureTransport": "true" };

for (const stage of STAGES) {
    describe(`per-user storage isolation (${stage})`, () => {
        let run: ProgramRun;
        let bucket: string;
        let prefix: string;
        before(async () => {
            run = await stackRun(stage);
            bucket = run.outputs.userFilesBucket;
            prefix = run.outputs.userFilesPrefix;
        });

        for (const group of ["user", "admin"] as const) {
            describe(`identity of the ${group} group`, () => {
                const roleArn = () => run.outputs[`${group}RoleArn`] as string;
                const ask = (action: string, resource: string, context: Record<string, string> = {}, identityId = A): Promise<Decision> =>
                    decide({
                        principal: sessionOf(roleArn(), "CognitoIdentityCredentials"),
                        action,
                        resource,
                        identityPolicies: [policyOf(run.one("aws:iam/rolePolicy:RolePolicy", `identities-${group}-storage`))],
                        resourcePolicy: policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "user-files-policy")),
                        context: { ...TLS, ...context },
                        identityId,
                    });
                const object = (owner: string, name = "data.txt") => `arn:aws:s3:::${bucket}/${prefix}/${owner}/${name}`;

                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                    it(`may ${action} in its own folder`, async () => {
                        assert.strictEqual(await ask(action, object(A)), "Allowed");
                        assert.strictEqual(await ask(action, object(A, "nested/deeper.txt")), "Allowed");
                    });
                    it(`is denied ${action} in another identity's folder`, async () => {
                        assert.notStrictEqual(await ask(action, object(B)), "Allowed");
                    });
                    it(`is denied ${action} under another prefix and in another bucket`, async () => {
                        assert.notStrictEqual(await ask(action, `arn:aws:s3:::${bucket}/other-prefix/${A}/data.txt`), "Allowed");
                        assert.notStrictEqual(await ask(action, `arn:aws:s3:::${bucket}/${A}/data.txt`), "Allowed");
                        assert.notStrictEqual(await ask(action, `arn:aws:s3:::another-bucket/${prefix}/${A}/data.txt`), "Allowed");
                    });
                }

                it("may list its own folder", async () => {
                    const bucketArn = `arn:aws:s3:::${bucket}`;
                    assert.strictEqual(await ask("s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A}/` }), "Allowed");
                    assert.strictEqual(await ask("s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A}/data.txt` }), "Allowed");
                });

                it("is denied listing the bucket root, the prefix, another folder or without a prefix", async () => {
                    const bucketArn = `arn:aws:s3:::${bucket}`;
                    for (const listPrefix of ["", `${prefix}/`, prefix, `${prefix}/${B}/`, `${prefix}/ap-northeast-1:`]) {
                        assert.notStrictEqual(await ask("s3:ListBucket", bucketArn, { "s3:prefix": listPrefix }), "Allowed", `prefix '${listPrefix}'`);
                    }
                    assert.notStrictEqual(await ask("s3:ListBucket", bucketArn), "Allowed");
                    assert.notStrictEqual(await ask("s3:ListBucket", "arn:aws:s3:::another-bucket", { "s3:prefix": `${prefix}/${A}/` }), "Allowed");
                });

                it("is explicitly denied over plain HTTP, even in its own folder", async () => {
                    assert.strictEqual(await ask("s3:GetObject", object(A), { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
                });

                it("cannot change the bucket or its policy", async () => {
                    for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketPublicAccessBlock"]) {
                        assert.notStrictEqual(await ask(action, `arn:aws:s3:::${bucket}`), "Allowed", action);
                    }
                });
            });
        }

        describe("identity role trust", () => {
            const trustOf = (group: string) => policyOf(run.one("aws:iam/role:Role", `identities-${group}`), "assumeRolePolicy");
            const assume = (group: string, aud: string, amr: string[]) =>
                decide({
                    principal: "cognito-identity.amazonaws.com",
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: run.outputs[`${group}RoleArn`],
                    resourcePolicy: trustOf(group),
                    context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr },
                });
            const provider = () => run.outputs.userPoolProviderName as string;

            for (const group of ["user", "admin"]) {
                it(`admits an authenticated identity of this pool to the ${group} role`, async () => {
                    assert.strictEqual(await assume(group, run.outputs.identityPoolId, ["authenticated", provider()]), "Allowed");
                });
                it(`refuses unauthenticated identities of this pool the ${group} role`, async () => {
                    assert.notStrictEqual(await assume(group, run.outputs.identityPoolId, ["unauthenticated"]), "Allowed");
                });
                it(`refuses authenticated identities of another identity pool the ${group} role`, async () => {
                    assert.notStrictEqual(await assume(group, "ap-northeast-1:99999999-0000-4000-8000-000000000000", ["authenticated"]), "Allowed");
                });
                it(`refuses a plain AssumeRole of the ${group} role by an IAM principal of the account`, async () => {
                    const decision = await decide({
                        principal: `arn:aws:iam::${ACCOUNT_ID}:role/SomeAdmin`,
                        action: "sts:AssumeRole",
                        resource: run.outputs[`${group}RoleArn`],
                        resourcePolicy: trustOf(group),
                    });
                    assert.notStrictEqual(decision, "Allowed");
                });
            }
        });

        describe("read-file execution role", () => {
            it("has no right on the user files: reads happen with the user's credentials", async () => {
                const decision = await decide({
                    principal: sessionOf(`arn:aws:iam::${ACCOUNT_ID}:role/read-file-role`, "read-file-fn"),
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${bucket}/${prefix}/${A}/data.txt`,
                    identityPolicies: [policyOf(run.one("aws:iam/rolePolicy:RolePolicy", "read-file-logging"))],
                    resourcePolicy: policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "user-files-policy")),
                    context: TLS,
                });
                assert.notStrictEqual(decision, "Allowed");
            });

            it("may write to its own log group and no other", async () => {
                const logGroupArn = run.one("aws:cloudwatch/logGroup:LogGroup", "read-file-logs").state.arn as string;
                const ask = (resource: string) =>
                    decide({
                        principal: sessionOf(`arn:aws:iam::${ACCOUNT_ID}:role/read-file-role`, "read-file-fn"),
                        action: "logs:PutLogEvents",
                        resource,
                        identityPolicies: [policyOf(run.one("aws:iam/rolePolicy:RolePolicy", "read-file-logging"))],
                    });
                assert.strictEqual(await ask(`${logGroupArn}:log-stream:2026/11/22/abc`), "Allowed");
                assert.notStrictEqual(await ask(`arn:aws:logs:ap-northeast-1:${ACCOUNT_ID}:log-group:other:log-stream:x`), "Allowed");
            });

            it("is assumable by the Lambda service only", async () => {
                const trust = policyOf(run.one("aws:iam/role:Role", "read-file-role"), "assumeRolePolicy");
                const ask = (principal: string) =>
                    decide({ principal, action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT_ID}:role/read-file-role`, resourcePolicy: trust });
                assert.strictEqual(await ask("lambda.amazonaws.com"), "Allowed");
                for (const other of ["ec2.amazonaws.com", "apigateway.amazonaws.com", `arn:aws:iam::${ACCOUNT_ID}:role/SomeAdmin`, "arn:aws:iam::999988887777:role/x"]) {
                    assert.notStrictEqual(await ask(other), "Allowed", other);
                }
            });
        });
    });
}

// The policy builders themselves, under the IAM policy engine. The rest of the suite reads them
// through one program run per process, which a mutation run cannot repeat per mutant.

const ACCOUNT = "111122223333";
const A_ID = `${REGION}:aaaaaaaa-0000-4000-8000-000000000001`;
const B_ID = `${REGION}:bbbbbbbb-0000-4000-8000-000000000002`;

describe("identity-pool storage and trust policies, built directly", () => {
    const bucket = "federated-access-deve-user-files-1";
    const prefix = "cognito-test";
    // Built inside each test, never while the file loads: a mutation run measures what tests run.
    const storage = () => perIdentityStoragePolicy(bucket, prefix);
    const boundary = () => workloadBoundaryPolicy({
        accountId: ACCOUNT,
        region: REGION,
        userFilesBucketPrefix: "federated-access-deve-user-files-",
        userFilesPrefix: prefix,
        apiExecutionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123`,
        logGroupPrefix: "/federated-access/deve/",
        userPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`,
    });
    const principal = sessionOf(`arn:aws:iam::${ACCOUNT}:role/federated-access/deve/identities-user`, "CognitoIdentityCredentials");
    const ask = (policies: object[], action: string, resource: string, context: Record<string, string> = {}) =>
        decide({ principal, action, resource, identityPolicies: policies, context, identityId: A_ID });
    const object = (owner: string) => `arn:aws:s3:::${bucket}/${prefix}/${owner}/data.txt`;

    for (const [name, build] of [
        ["the identity's storage policy", storage],
        ["the stage boundary", boundary],
    ] as const) {
        it(`${name}: objects of the identity's own folder only`, async () => {
            const policies = [build()];
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.strictEqual(await ask(policies, action, object(A_ID)), "Allowed", action);
                assert.notStrictEqual(await ask(policies, action, object(B_ID)), "Allowed", `${action} in another folder`);
                assert.notStrictEqual(await ask(policies, action, `arn:aws:s3:::${bucket}/other/${A_ID}/data.txt`), "Allowed", `${action} under another prefix`);
            }
        });

        it(`${name}: listing only inside the identity's own folder`, async () => {
            const policies = [build()];
            const bucketArn = `arn:aws:s3:::${bucket}`;
            assert.strictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A_ID}/` }), "Allowed");
            assert.strictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": `${prefix}/${A_ID}/data.txt` }), "Allowed");
            for (const listPrefix of ["", `${prefix}/`, `${prefix}/${B_ID}/`, `${prefix}/${A_ID}`]) {
                assert.notStrictEqual(await ask(policies, "s3:ListBucket", bucketArn, { "s3:prefix": listPrefix }), "Allowed", `prefix '${listPrefix}'`);
            }
            assert.notStrictEqual(await ask(policies, "s3:ListBucket", bucketArn), "Allowed", "no prefix");
        });
    }

    it("the stage boundary: the stage's API and log groups, nothing of another stage", async () => {
        const policy = boundary();
        assert.strictEqual(await ask([policy], "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123/$default/GET/read-file`), "Allowed");
        assert.notStrictEqual(await ask([policy], "execute-api:Invoke", `arn:aws:execute-api:${REGION}:${ACCOUNT}:api999/$default/GET/read-file`), "Allowed");
        const logs = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:s`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.strictEqual(await ask([policy], action, logs("/federated-access/deve/read-file")), "Allowed", action);
            assert.notStrictEqual(await ask([policy], action, logs("/federated-access/prod/read-file")), "Allowed", action);
        }
    });

    it("the stage boundary: in the user pool, the smoke-users broker's actions on the stage's pool only; no takeover, no identity deletion", async () => {
        const policy = boundary();
        const pool = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`;
        for (const action of ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"]) {
            assert.strictEqual(await ask([policy], action, pool), "Allowed", action);
            assert.notStrictEqual(await ask([policy], action, `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_other`), "Allowed", `${action} on another pool`);
        }
        for (const action of ["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminResetUserPassword", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:UpdateUserPool"]) {
            assert.notStrictEqual(await ask([policy], action, pool), "Allowed", action);
        }
        assert.notStrictEqual(await ask([policy], "cognito-identity:DeleteIdentities", "*"), "Allowed");
    });

    it("the identity roles' trust: authenticated identities of this pool only", async () => {
        const pool = `${REGION}:00000000-1111-4222-8333-444444444444`;
        const trust = identityPoolTrustPolicy(pool);
        const assume = (aud: string, amr: string[]) =>
            decide({
                principal: "cognito-identity.amazonaws.com",
                action: "sts:AssumeRoleWithWebIdentity",
                resource: `arn:aws:iam::${ACCOUNT}:role/federated-access/deve/identities-user`,
                resourcePolicy: trust,
                context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr },
            });
        assert.strictEqual(await assume(pool, ["authenticated", PROVIDER_NAME]), "Allowed");
        assert.notStrictEqual(await assume(pool, ["unauthenticated"]), "Allowed");
        assert.notStrictEqual(await assume(`${REGION}:99999999-1111-4222-8333-444444444444`, ["authenticated", PROVIDER_NAME]), "Allowed");
    });

    it("the user files bucket refuses plain HTTP to everyone, on the bucket and its objects", async () => {
        const tls = tlsOnlyBucketPolicy(bucket);
        const own = storage();
        for (const resource of [`arn:aws:s3:::${bucket}`, object(A_ID)]) {
            const action = resource.includes("/") ? "s3:GetObject" : "s3:ListBucket";
            const over = (secure: string) =>
                decide({ principal, action, resource, identityPolicies: [own], resourcePolicy: tls, context: { "aws:SecureTransport": secure, "s3:prefix": `${prefix}/${A_ID}/` }, identityId: A_ID });
            assert.strictEqual(await over("false"), "ExplicitlyDenied", resource);
            assert.strictEqual(await over("true"), "Allowed", `${resource}: the bucket policy lets TLS requests through`);
        }
    });
});
