/**
 * Pulumi state in an S3 bucket several stacks share: each stage's CI roles reach their own
 * stack's state only. Decided by the IAM engine over the policies the program attaches to the
 * roles (inline and managed), with the key layout of Pulumi's DIY backend.
 */
import * as assert from "assert";

import { ciRightsGaps } from "../analysis/ciRights";
import { decide } from "../analysis/engine";
import { inlinePolicyText, ROLE_INLINE_POLICY_QUOTA } from "../components/policies/document";
import { ACCOUNT_ID, policiesOfRole, PROJECT, ProgramRun, runProgram } from "./harness";

const BUCKET = "acme-pulumi-state";
const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
const roleName = (arn: string) => arn.split("/").pop() as string;

/** Keys of one stack's state, as the DIY backend writes them. */
function stateKeys(project: string, stack: string) {
    return {
        stack: `.pulumi/stacks/${project}/${stack}.json`,
        backup: `.pulumi/stacks/${project}/${stack}.json.bak`,
        gzip: `.pulumi/stacks/${project}/${stack}.json.gz`,
        history: `.pulumi/history/${project}/${stack}/${stack}-1700000000000000000.history.json`,
        checkpointBackup: `.pulumi/backups/${project}/${stack}/${stack}.1700000000000000000.json`,
        journal: `.pulumi/journal/${project}/${stack}/0001.json`,
        lock: `.pulumi/locks/organization/${project}/${stack}/3f2c9a.json`,
    };
}

async function allowed(run: ProgramRun, roleArn: string, action: string, resource: string): Promise<boolean> {
    const decision = await decide({
        principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName(roleArn)}/ci`,
        action,
        resource,
        resourceAccount: ACCOUNT_ID,
        identityPolicies: policiesOfRole(run, roleName(roleArn)),
        context: { "aws:SecureTransport": "true", "aws:RequestedRegion": String(run.outputs.region) },
    });
    return decision === "Allowed";
}

describe("CI rights on Pulumi state in a shared S3 bucket", () => {
    let run: ProgramRun;
    let deploy: string;
    let preview: string;
    before(async () => {
        run = await runProgram("deve", { overrides: { "federated-access:ciStateBucket": BUCKET } });
        deploy = run.outputs.ciDeployRoleArn;
        preview = run.outputs.ciPreviewRoleArn;
    });

    it("the deploy role reads and writes its own stack's state, history, backups, journal and lock", async () => {
        const own = stateKeys(PROJECT, "deve");
        for (const key of Object.values(own)) {
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.ok(await allowed(run, deploy, action, object(key)), `${action} ${key}`);
            }
        }
        assert.ok(await allowed(run, deploy, "s3:GetObject", object(".pulumi/meta.yaml")));
        assert.ok(await allowed(run, deploy, "s3:ListBucket", `arn:aws:s3:::${BUCKET}`));
    });

    it("no CI role of deve reads or writes another stack's state: prod, another project, a look-alike name", async () => {
        const others = [stateKeys(PROJECT, "prod"), stateKeys(PROJECT, "stag"), stateKeys("other-project", "deve"), stateKeys(PROJECT, "deve2"), stateKeys(PROJECT, "deve.json")];
        for (const keys of others) {
            for (const key of Object.values(keys)) {
                for (const role of [deploy, preview]) {
                    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                        // `deve.json`'s own stack file is `deve.json.json`, which no pattern of deve's may match.
                        assert.ok(!(await allowed(run, role, action, object(key))), `${roleName(role)} may ${action} ${key}`);
                    }
                }
            }
        }
        for (const role of [deploy, preview]) {
            assert.ok(!(await allowed(run, role, "s3:PutObject", object(".pulumi/meta.yaml"))), `${roleName(role)} may rewrite the backend's layout version`);
        }
    });

    it("the preview role reads its own stack, but writes no state and no lock: neither plants one nor deletes a deploy's", async () => {
        const own = stateKeys(PROJECT, "deve");
        for (const key of [own.stack, own.gzip, own.history]) {
            assert.ok(await allowed(run, preview, "s3:GetObject", object(key)), key);
        }
        // Pulumi's DIY backend takes no lock for a preview; every lock of a stack, the deploy's among
        // them, lies in the stack's one lock folder, whatever the lock id.
        const locks = [own.lock, ".pulumi/locks/organization/federated-access/deve/deploy-run.json", stateKeys(PROJECT, "prod").lock, stateKeys(PROJECT, "stag").lock];
        for (const key of locks) {
            for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
                assert.ok(!(await allowed(run, preview, action, object(key))), `preview may ${action} ${key}`);
            }
        }
        for (const key of [own.stack, own.backup, own.history, own.checkpointBackup, own.journal]) {
            assert.ok(!(await allowed(run, preview, "s3:PutObject", object(key))), `preview may write ${key}`);
            assert.ok(!(await allowed(run, preview, "s3:DeleteObject", object(key))), `preview may delete ${key}`);
        }
    });

    it("the state policies are administrator-managed: CI reads them on a refresh and cannot change them", async () => {
        const gaps = await ciRightsGaps({
            stack: run,
            account: ACCOUNT_ID,
            deploy: { arn: deploy, policies: policiesOfRole(run, roleName(deploy)) },
            preview: { arn: preview, policies: policiesOfRole(run, roleName(preview)) },
            deletes: true,
            boundaryArn: run.outputs.permissionsBoundaryArn,
        });
        assert.deepStrictEqual(gaps.missing, []);
        for (const name of ["ci-preview-state", "ci-deploy-state"]) {
            assert.strictEqual(gaps.administered.filter((a) => a.endsWith(` ${name}`)).length, 2, `${name}: the policy and its attachment`);
        }
        assert.deepStrictEqual(gaps.administeredWritable, []);
    });

    it("a stack with no state bucket gets no state rights at all", async () => {
        const plain = await runProgram("deve", { overrides: { "federated-access:ciStateBucket": undefined } });
        assert.deepStrictEqual(plain.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
        const actions = policiesOfRole(plain, roleName(plain.outputs.ciDeployRoleArn)).flatMap((doc) => doc.Statement.flatMap((s: any) => [].concat(s.Action ?? [])));
        assert.ok(!actions.some((a: string) => /^s3:(GetObject|PutObject|DeleteObject)$/.test(a)), actions.join(", "));
    });
});

describe("CI role policies and IAM's inline size quota", () => {
    it("are refused at preview, with the reason, when IAM would refuse them, and the deploy role's fits today", async () => {
        const big = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "s3:GetObject", Resource: `arn:aws:s3:::${"b".repeat(ROLE_INLINE_POLICY_QUOTA)}/*` }] };
        assert.throws(() => inlinePolicyText(big, "GitHubCiRoles 'ci' deploy role"), /GitHubCiRoles 'ci' deploy role: the policy is \d+ characters, over IAM's 10240-character quota/);
        const run = await runProgram("prod", { overrides: { "federated-access:ciStateBucket": BUCKET } });
        const inline = run.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => String(p.inputs.role).endsWith("-ci-deploy"))!;
        const size = String(inline.inputs.policy).length;
        assert.ok(size <= ROLE_INLINE_POLICY_QUOTA, `${size}`);
        if (process.env.PRINT_FIGURES) console.log(`prod deploy role inline policy: ${size} of ${ROLE_INLINE_POLICY_QUOTA} characters`);
    });
});

describe("a state bucket named like a stage's buckets", () => {
    it("is refused, naming the stage whose deploy role could change it", async () => {
        for (const [bucket, owner] of [
            ["federated-access-prod-state", "prod"],
            ["federated-access-deve-pulumi", "deve"],
        ]) {
            await assert.rejects(
                runProgram("stag", { overrides: { "federated-access:ciStateBucket": bucket } }),
                new RegExp(`ciStateBucket '${bucket}' starts with 'federated-access-${owner}-', the prefix of the ${owner} stage's buckets`),
            );
        }
        await assert.doesNotReject(runProgram("stag", { overrides: { "federated-access:ciStateBucket": "federated-access-state" } }));
    });
});
