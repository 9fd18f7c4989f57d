/**
 * What each stack file implies, checked on the resources the real program registers.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { IDENTIFYING_ATTRIBUTES } from "../components/identity/userDirectory";
import { STAGES } from "./harness";
import { parseOutputs } from "../smoke/smoke";
import { policyOf, ProgramRun, ROOT, runProgram, stackConfig, stackRun } from "./harness";

const T = {
    userPool: "aws:cognito/userPool:UserPool",
    client: "aws:cognito/userPoolClient:UserPoolClient",
    group: "aws:cognito/userGroup:UserGroup",
    identityPool: "aws:cognito/identityPool:IdentityPool",
    attachment: "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    fn: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachmentPolicy: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};


for (const stage of STAGES) {
    describe(`stack ${stage}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await stackRun(stage);
        });

        it("exports what a client and the smoke checks need", () => {
            assert.doesNotThrow(() => parseOutputs(run.outputs), "the smoke checks can read this stack's outputs");
            for (const key of ["adminRoleArn", "userRoleArn", "readFileFunctionName", "userPoolIssuer"]) {
                assert.ok(run.outputs[key], `output ${key} is missing`);
            }
            assert.strictEqual(run.outputs.stage, stage);
            assert.strictEqual(run.outputs.userFilesPrefix, "cognito-test");
            assert.strictEqual(run.outputs.userPoolProviderName, `cognito-idp.ap-northeast-1.amazonaws.com/${run.outputs.userPoolId}`);
        });

        it("user pool: admin-created users only, strong passwords, MFA available", () => {
            const pool = run.one(T.userPool).inputs;
            assert.strictEqual(pool.adminCreateUserConfig.allowAdminCreateUserOnly, true);
            assert.ok(pool.passwordPolicy.minimumLength >= 12);
            for (const rule of ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"]) {
                assert.strictEqual(pool.passwordPolicy[rule], true, rule);
            }
            assert.ok(["OPTIONAL", "ON"].includes(pool.mfaConfiguration));
            assert.strictEqual(pool.softwareTokenMfaConfiguration.enabled, true);
        });

        it("app client: no secret, no plain password flow, user-existence errors hidden", () => {
            const client = run.one(T.client).inputs;
            assert.strictEqual(client.generateSecret, false);
            assert.ok(client.explicitAuthFlows.includes("ALLOW_USER_SRP_AUTH"));
            assert.ok(!client.explicitAuthFlows.includes("ALLOW_USER_PASSWORD_AUTH"), "passwords must not travel to an anonymous endpoint");
            assert.strictEqual(client.preventUserExistenceErrors, "ENABLED");
            assert.strictEqual(client.enableTokenRevocation, true);
        });

        it("users change no attribute that identifies them, and an email change waits for its verification", () => {
            const client = run.one(T.client).inputs;
            // An absent or empty list would let the app client write every standard attribute.
            assert.ok(Array.isArray(client.writeAttributes) && client.writeAttributes.length > 0, `writeAttributes: ${JSON.stringify(client.writeAttributes)}`);
            for (const attribute of IDENTIFYING_ATTRIBUTES) {
                assert.ok(!client.writeAttributes.includes(attribute), `a user may change their own ${attribute}`);
            }
            assert.ok(client.writeAttributes.every((a: string) => !a.startsWith("custom:")), "custom attributes are the program's, not the user's");
            const pool = run.one(T.userPool).inputs;
            assert.deepStrictEqual(pool.userAttributeUpdateSettings, { attributesRequireVerificationBeforeUpdates: ["email"] });
            // Cognito accepts the setting only for attributes it verifies on its own.
            assert.ok(pool.autoVerifiedAttributes.includes("email"));
        });

        it("groups admin and user", () => {
            assert.deepStrictEqual(run.ofType(T.group).map((g) => g.inputs.name).sort(), ["admin", "user"]);
        });

        it("identity pool: authenticated identities only, no classic flow, revoked tokens refused", () => {
            const pool = run.one(T.identityPool).inputs;
            assert.strictEqual(pool.allowUnauthenticatedIdentities, false);
            assert.strictEqual(pool.allowClassicFlow, false);
            assert.strictEqual(pool.cognitoIdentityProviders.length, 1);
            const [provider] = pool.cognitoIdentityProviders;
            assert.strictEqual(provider.providerName, run.outputs.userPoolProviderName);
            assert.strictEqual(provider.clientId, run.outputs.userPoolClientId);
            assert.strictEqual(provider.serverSideTokenCheck, true);
        });

        it("one role attachment choosing roles by cognito:groups, ambiguous → Deny", () => {
            const attachment = run.one(T.attachment).inputs;
            assert.strictEqual(attachment.identityPoolId, run.outputs.identityPoolId);
            assert.strictEqual(attachment.roleMappings.length, 1);
            const [mapping] = attachment.roleMappings;
            assert.strictEqual(mapping.identityProvider, `${run.outputs.userPoolProviderName}:${run.outputs.userPoolClientId}`);
            assert.strictEqual(mapping.type, "Rules");
            assert.strictEqual(mapping.ambiguousRoleResolution, "Deny");
            assert.deepStrictEqual(
                mapping.mappingRules.map((r: any) => [r.claim, r.matchType, r.value, r.roleArn]),
                [
                    ["cognito:groups", "Contains", "admin", run.outputs.adminRoleArn],
                    ["cognito:groups", "Contains", "user", run.outputs.userRoleArn],
                ],
            );
            assert.ok(!("unauthenticated" in attachment.roles));
        });

        it("storage policy carries the IAM variable literally, not an interpolated value", () => {
            const text = run.one(T.rolePolicy, "identities-user-storage").inputs.policy as string;
            assert.ok(text.includes("cognito-test/${cognito-identity.amazonaws.com:sub}/*"), text);
        });

        it("user files bucket: private, owner-enforced, encrypted, versioned, TLS-only", () => {
            const bucket = run.one(T.bucket, "user-files-bucket");
            const access = run.one(T.publicAccess, "user-files-public-access").inputs;
            for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                assert.strictEqual(access[flag], true, flag);
            }
            assert.strictEqual(access.bucket, bucket.id);
            assert.strictEqual(run.one(T.ownership, "user-files-ownership").inputs.rule.objectOwnership, "BucketOwnerEnforced");
            assert.ok(["AES256", "aws:kms"].includes(run.one(T.encryption, "user-files-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm));
            assert.strictEqual(run.one(T.versioning, "user-files-versioning").inputs.versioningConfiguration.status, "Enabled");
            const tls = policyOf(run.one(T.bucketPolicy, "user-files-policy")).Statement.find((s: any) => s.Effect === "Deny");
            assert.deepStrictEqual(tls.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepStrictEqual(tls.Resource, [`arn:aws:s3:::${bucket.id}`, `arn:aws:s3:::${bucket.id}/*`]);
        });

        it("read-file function: explicit role and runtime, logs retained, no managed policy attached", () => {
            const fn = run.one(T.fn, "read-file-fn").inputs;
            assert.strictEqual(fn.runtime, "nodejs22.x");
            assert.strictEqual(fn.role, run.one(T.role, "read-file-role").state.arn);
            assert.strictEqual(fn.handler, "__index.handler");
            assert.deepStrictEqual(Object.keys(fn.environment.variables).sort(), [
                "IDENTITY_POOL_ID",
                "USER_FILES_BUCKET",
                "USER_FILES_PREFIX",
                "USER_POOL_CLIENT_ID",
                "USER_POOL_ID",
            ]);
            assert.strictEqual(fn.environment.variables.USER_FILES_BUCKET, run.outputs.userFilesBucket);
            assert.strictEqual(run.ofType(T.attachmentPolicy).length, 0, "CallbackFunction's default managed policies must not appear");
            assert.strictEqual(fn.loggingConfig.logGroup, run.one(T.logGroup, "read-file-logs").state.name);
            assert.strictEqual(run.one(T.logGroup, "read-file-logs").inputs.retentionInDays, Number(run.config["federated-access:logRetentionDays"]));
        });

        const protectedData = stackConfig(stage)["federated-access:protectData"] === "true";
        it(protectedData ? "protects what holds or keys user data" : "leaves data destroyable where protectData is off", () => {
            const pool = run.one(T.userPool);
            const bucket = run.one(T.bucket, "user-files-bucket");
            const identityPool = run.one("aws:cognito/identityPool:IdentityPool");
            const mapping = run.one("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment");
            const groups = run.ofType("aws:cognito/userGroup:UserGroup");
            // The resource options as registered with the engine: what `pulumi destroy` would honour.
            const protection = (r: typeof pool) => ({ protect: r.options.protect, retainOnDelete: r.options.retainOnDelete });
            if (protectedData) {
                assert.strictEqual(pool.inputs.deletionProtection, "ACTIVE");
                assert.strictEqual(bucket.inputs.forceDestroy, false);
                assert.deepStrictEqual(protection(pool), { protect: true, retainOnDelete: false });
                assert.deepStrictEqual(protection(bucket), { protect: true, retainOnDelete: true });
                // Identity ids name every user's folder: a new pool would strand every user's files.
                assert.deepStrictEqual(protection(identityPool), { protect: true, retainOnDelete: true });
                assert.strictEqual(mapping.options.protect, true);
                assert.deepStrictEqual(groups.map((g) => g.options.protect), groups.map(() => true), "group memberships are data");
            } else {
                assert.strictEqual(pool.inputs.deletionProtection, "INACTIVE");
                assert.strictEqual(bucket.inputs.forceDestroy, true);
                assert.deepStrictEqual(protection(pool), { protect: false, retainOnDelete: false });
                assert.deepStrictEqual(protection(bucket), { protect: false, retainOnDelete: false });
                assert.deepStrictEqual(protection(identityPool), { protect: false, retainOnDelete: false });
            }
        });
    });
}

describe("stack configuration errors", () => {
    it("refuses a stack name that cannot be a stage, naming it and why", async () => {
        const file = path.join(os.tmpdir(), "no-such-stack-file.yaml");
        for (const name of ["deve-x", "QA", "q", "averylongname"]) {
            await assert.rejects(runProgram(name, { stackFile: path.join(ROOT, "Pulumi.deve.yaml") }), new RegExp(`Invalid stage '${name}': .*no '-'`));
        }
        // A stack without its file is a missing configuration, whatever its name.
        await assert.rejects(runProgram("qa", { stackFile: file }), /no configuration for stack 'qa': Pulumi\.qa\.yaml is missing or empty/);
    });

    it("refuses a missing userFilesPrefix, naming the key", async () => {
        await assert.rejects(
            runProgram("deve", { overrides: { "federated-access:userFilesPrefix": undefined } }),
            /missing required key 'federated-access:userFilesPrefix'/,
        );
    });

    it("refuses a missing aws:region, naming the key", async () => {
        await assert.rejects(runProgram("stag", { overrides: { "aws:region": undefined } }), /missing required key 'aws:region'/);
    });

    it("refuses a prefix that would escape its folder", async () => {
        for (const bad of ["../x", "a/b", "", "UPPER"]) {
            await assert.rejects(
                runProgram("deve", { overrides: { "federated-access:userFilesPrefix": bad } }),
                new RegExp(`'federated-access:userFilesPrefix' must be .*got '${bad.replace(/[./]/g, "\\$&")}'`),
            );
        }
    });

    it("refuses an invalid MFA mode, retention or protectData value, reporting them together", async () => {
        await assert.rejects(
            runProgram("deve", {
                overrides: {
                    "federated-access:mfa": "OFF",
                    "federated-access:logRetentionDays": "10",
                    "federated-access:protectData": "yes",
                },
            }),
            (error: Error) => {
                assert.match(error.message, /'federated-access:mfa' must be OPTIONAL or ON, got 'OFF'/);
                assert.match(error.message, /'federated-access:logRetentionDays' must be one of .*got '10'/);
                assert.match(error.message, /'federated-access:protectData' must be true or false, got 'yes'/);
                return true;
            },
        );
    });

    it("refuses a malformed ExternalId, naming the key", async () => {
        await assert.rejects(
            runProgram("stag", { overrides: { "federated-access:callerExternalId": "x" }, secretKeys: ["federated-access:callerExternalId"] }),
            /federated-access:callerExternalId/,
        );
    });

    it("refuses unprotected production data", async () => {
        await assert.rejects(
            runProgram("prod", { overrides: { "federated-access:protectData": "false" } }),
            /'federated-access:protectData' cannot be false in a production stage/,
        );
    });

    it("protects prod data when the key is left out", async () => {
        const run = await runProgram("prod", { overrides: { "federated-access:protectData": undefined } });
        assert.strictEqual(run.one(T.userPool).inputs.deletionProtection, "ACTIVE");
    });

    it("gives a key the stack file leaves out Pulumi.yaml's default, as the CLI does", async () => {
        const run = await runProgram("deve", { overrides: { "federated-access:logRetentionDays": undefined, "federated-access:auditTrail": undefined } });
        assert.strictEqual(run.config["federated-access:logRetentionDays"], "30");
        assert.ok(run.ofType(T.logGroup).every((group) => group.inputs.retentionInDays === 30), "every log group keeps 30 days");
        assert.strictEqual(run.ofType("aws:cloudtrail/trail:Trail").length, 1, "the audit trail is on by default");
    });

    it("refuses a key it does not know, among every key the engine hands the program", async () => {
        await assert.rejects(
            runProgram("deve", { overrides: { "federated-access:auditTrial": "true" } }),
            /unknown key 'federated-access:auditTrial': did you mean 'federated-access:auditTrail'\?/,
        );
    });

    it("names a missing or empty stack file, not the keys it lacks", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
        try {
            const empty = path.join(dir, "Pulumi.stag.yaml");
            fs.writeFileSync(empty, "# nothing yet\n");
            for (const stackFile of [path.join(dir, "absent.yaml"), empty]) {
                await assert.rejects(runProgram("stag", { stackFile }), (error: Error) => {
                    assert.match(error.message, /no configuration for stack 'stag': Pulumi\.stag\.yaml is missing or empty/);
                    assert.doesNotMatch(error.message, /missing required key/);
                    return true;
                });
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an ExternalId the engine did not hand over as a secret", async () => {
        await assert.rejects(
            runProgram("stag", { overrides: { "federated-access:callerExternalId": "correct-horse-battery" } }),
            /'federated-access:callerExternalId' is stored in plaintext/,
        );
    });
});
