/**
 * The smoke checks' run records and their expiry never reach a user's folder, whatever
 * `userFilesPrefix` a stack sets: checked on the lifecycle rules the program registers and, by
 * the IAM engine, on the smoke role's policies, for the shipped prefix and for adversarial ones.
 */
import * as assert from "assert";

import { decide } from "../analysis/engine";
import { keyPrefixesOverlap, LEGACY_SMOKE_RECORDS_PREFIX, SMOKE_RECORDS_PREFIX } from "../components/config/naming";
import { smokeChecksPolicy } from "../components/policies/workload";
import { PrivateBucket } from "../components/storage/privateBucket";
import { ACCOUNT_ID, policiesOfRole, ProgramRun, runProgram } from "./harness";

const IDENTITY = "ap-northeast-1:11111111-2222-3333-4444-555555555555";
const roleName = (arn: string) => arn.split("/").pop() as string;

async function smokeMay(run: ProgramRun, action: string, resource: string, context: Record<string, string> = {}): Promise<boolean> {
    const role = roleName(run.outputs.ciSmokeRoleArn);
    const decision = await decide({
        principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/ci`,
        action,
        resource,
        resourceAccount: ACCOUNT_ID,
        identityPolicies: policiesOfRole(run, role),
        context: { "aws:SecureTransport": "true", ...context },
    });
    return decision === "Allowed";
}

/** Current-object expirations of the user files bucket: the rules that delete what users wrote. */
function expiringPrefixes(run: ProgramRun): string[] {
    const config = run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find((c) => c.inputs.bucket === run.outputs.userFilesBucket);
    assert.ok(config, "the user files bucket has a lifecycle configuration");
    return (config.inputs.rules as any[]).filter((r) => r.expiration).map((r) => String(r.filter?.prefix ?? ""));
}

describe("run records and user folders", () => {
    it("no userFilesPrefix the settings accept can name the records' folder", async () => {
        const folder = SMOKE_RECORDS_PREFIX.replace(/\/$/, "");
        await assert.rejects(runProgram("deve", { overrides: { "federated-access:userFilesPrefix": folder } }), /userFilesPrefix/);
    });

    // The shipped prefix; the records' old folder; prefixes that start the records' folder or the old one.
    for (const userFilesPrefix of ["cognito-test", "smoke-runs", "smoke", "s", "smoke-runs-2"]) {
        describe(`with userFilesPrefix '${userFilesPrefix}'`, () => {
            let run: ProgramRun;
            const folder = `${userFilesPrefix}/${IDENTITY}/`;
            before(async () => {
                run = await runProgram("deve", { overrides: { "federated-access:userFilesPrefix": userFilesPrefix } });
            });

            it("no lifecycle rule expires a user's file, and the records still expire", () => {
                const prefixes = expiringPrefixes(run);
                for (const prefix of prefixes) {
                    assert.ok(!keyPrefixesOverlap(prefix, `${userFilesPrefix}/`), `the rule for '${prefix}' expires files of ${folder}`);
                }
                assert.ok(prefixes.includes(SMOKE_RECORDS_PREFIX), prefixes.join(", "));
                // Records written under the old folder still expire, except where user folders are.
                assert.strictEqual(prefixes.includes(LEGACY_SMOKE_RECORDS_PREFIX), userFilesPrefix !== "smoke-runs", prefixes.join(", "));
            });

            it("the smoke role reads, writes, deletes and lists no user's folder, but keeps its records", async () => {
                const bucket = run.outputs.userFilesBucket;
                for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                    assert.ok(!(await smokeMay(run, action, `arn:aws:s3:::${bucket}/${folder}data.txt`)), `smoke may ${action} ${folder}data.txt`);
                    assert.ok(await smokeMay(run, action, `arn:aws:s3:::${bucket}/${SMOKE_RECORDS_PREFIX}run-1/0000-intent.json`), `smoke may not ${action} its records`);
                }
                for (const prefix of [`${userFilesPrefix}/`, folder]) {
                    assert.ok(!(await smokeMay(run, "s3:ListBucket", `arn:aws:s3:::${bucket}`, { "s3:prefix": prefix })), `smoke may list ${prefix}`);
                }
            });
        });
    }

    it("the components refuse records or expirations that would reach user folders", async () => {
        await runProgram("deve"); // installs the mocks the constructors register against
        assert.throws(
            () => new PrivateBucket("overlap", { expirations: [{ prefix: "smoke-runs/", days: 7 }], protectedPrefixes: ["smoke-runs/"] }),
            /PrivateBucket 'overlap': the expiration of 'smoke-runs\/' would reach the protected prefix 'smoke-runs\/'/,
        );
        assert.throws(() => new PrivateBucket("wider", { expirations: [{ prefix: "a/", days: 7 }], protectedPrefixes: ["a/b/"] }), /would reach the protected prefix 'a\/b\/'/);
        const scope = { smokeUsersFunctionArn: "f", userFilesBucket: "b", callerRoleArn: "c" };
        assert.throws(() => smokeChecksPolicy({ ...scope, recordsPrefix: "smoke-runs/", userFilesPrefix: "smoke-runs" }), /lie outside the user folders under 'smoke-runs\/'/);
        assert.throws(() => smokeChecksPolicy({ ...scope, recordsPrefix: "", userFilesPrefix: "x" }), /must end in '\/'/);
        assert.doesNotThrow(() => smokeChecksPolicy({ ...scope, recordsPrefix: SMOKE_RECORDS_PREFIX, userFilesPrefix: "smoke-runs" }));
    });
});
