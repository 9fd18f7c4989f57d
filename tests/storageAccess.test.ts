/**
 * Per-user isolation, decided by a real IAM policy engine over the policies the program
 * synthesizes for each stack (not over hand-written copies).
 */
import * as assert from "assert";

import { STAGES } from "./harness";
import { ACCOUNT_ID, policyOf, ProgramRun, stackRun } from "./harness";
import { decide, Decision, sessionOf } from "../analysis/engine";

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
