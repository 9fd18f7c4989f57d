/**
 * Who reads or deletes the audit logs is recorded: the audit log bucket's server access logs go
 * to a bucket of their own, which only S3's log delivery writes, which outlives the stack, and
 * which, like the audit bucket, no pipeline may change. The trail does not record data events of
 * its own log bucket (each delivery would be an event to deliver).
 */
import * as assert from "assert";

import { ciRightsGaps } from "../analysis/ciRights";
import { decide } from "../analysis/engine";
import { ACCESS_LOG_KEY_PREFIX } from "../components/storage/auditTrail";
import { ACCOUNT_ID, policiesOfRole, policyOf, ProgramRun, stackRun } from "./harness";

const roleName = (arn: string) => arn.split("/").pop() as string;

describe("the audit log bucket's reads and deletes", () => {
    let run: ProgramRun;
    let logs: string;
    let access: string;
    before(async () => {
        run = await stackRun("prod");
        logs = run.outputs.auditLogBucket;
        access = run.outputs.auditAccessLogBucket;
    });

    it("are recorded by server access logging into a retained bucket of their own", () => {
        assert.ok(access && access !== logs, "a bucket of its own");
        const logging = run.ofType("aws:s3/bucketLogging:BucketLogging").filter((l) => l.inputs.bucket === logs);
        assert.strictEqual(logging.length, 1, "the audit log bucket has server access logging");
        assert.deepStrictEqual([logging[0].inputs.targetBucket, logging[0].inputs.targetPrefix], [access, ACCESS_LOG_KEY_PREFIX]);
        const bucket = run.ofType("aws:s3/bucket:Bucket").find((b) => b.id === access)!;
        assert.deepStrictEqual([bucket.options.protect, bucket.options.retainOnDelete, bucket.inputs.forceDestroy], [true, true, false], "the access logs outlive the stack");
        assert.ok(bucket.inputs.bucketPrefix.startsWith("federated-access-prod-audit-"), "named within the audit buckets' prefix, which the CI roles' denial names");
    });

    it("only S3's log delivery for the audit bucket writes there, and nothing logs the access-log bucket itself", () => {
        const policy = policyOf(run.ofType("aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === access)!);
        const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
        assert.deepStrictEqual(allows, [
            {
                Sid: "ServerAccessLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `arn:aws:s3:::${access}/${ACCESS_LOG_KEY_PREFIX}*`,
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${logs}` } },
            },
        ]);
        assert.deepStrictEqual(run.ofType("aws:s3/bucketLogging:BucketLogging").filter((l) => l.inputs.bucket === access), [], "logging the log of logs would never end");
        const trail = run.one("aws:cloudtrail/trail:Trail").inputs;
        const watched = JSON.stringify(trail.advancedEventSelectors);
        assert.ok(!watched.includes(logs) && !watched.includes(access), "the trail records no data events of its own buckets");
    });

    it("no pipeline may switch the recording off, rewrite or delete it", async () => {
        const deploy = run.outputs.ciDeployRoleArn;
        const gaps = await ciRightsGaps({
            stack: run,
            account: ACCOUNT_ID,
            deploy: { arn: deploy, policies: policiesOfRole(run, roleName(deploy)) },
            preview: run.outputs.ciPreviewRoleArn ? { arn: run.outputs.ciPreviewRoleArn, policies: policiesOfRole(run, roleName(run.outputs.ciPreviewRoleArn)) } : undefined,
            deletes: false,
            boundaryArn: run.outputs.permissionsBoundaryArn,
        });
        assert.deepStrictEqual(gaps.administeredWritable, []);
        assert.ok(gaps.administered.some((a) => a.startsWith("aws:s3/bucketLogging:BucketLogging")), gaps.administered.join("\n"));
        assert.ok(gaps.administered.some((a) => a.endsWith(" audit-access-logs-bucket")), gaps.administered.join("\n"));
        for (const stage of ["deve", "stag", "prod"]) {
            const other: ProgramRun = stage === "prod" ? run : await stackRun(stage);
            for (const kind of ["deploy", "preview", "smoke"]) {
                const arn = other.outputs[`ci${kind[0].toUpperCase()}${kind.slice(1)}RoleArn`];
                if (kind === "preview" && arn === undefined) continue; // a production stage has no preview role
                for (const [action, resource] of [
                    ["s3:PutBucketLogging", `arn:aws:s3:::${logs}`],
                    ["s3:DeleteObject", `arn:aws:s3:::${access}/${ACCESS_LOG_KEY_PREFIX}2026-01-01-00-00-00-X`],
                    ["s3:PutBucketPolicy", `arn:aws:s3:::${access}`],
                    ["s3:PutLifecycleConfiguration", `arn:aws:s3:::${access}`],
                ]) {
                    const decision = await decide({
                        principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName(arn)}/ci`,
                        action,
                        resource,
                        resourceAccount: ACCOUNT_ID,
                        identityPolicies: policiesOfRole(other, roleName(arn)),
                        context: { "aws:SecureTransport": "true", "aws:RequestedRegion": "ap-northeast-1" },
                    });
                    assert.notStrictEqual(decision, "Allowed", `${stage} ${kind} may ${action} ${resource}`);
                }
            }
        }
    });
});
