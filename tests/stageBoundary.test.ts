/**
 * The StageBoundary component, built directly on Pulumi's mock engine inside each test (not the
 * whole program, not in a `before` hook): the managed policy it declares is the stage boundary the
 * builder writes, where it is declared, and it refuses names IAM would refuse or a path the deploy
 * role could write. Fast enough for mutation testing (`npm run mutate:policies`).
 */
import * as assert from "assert";

import * as pulumi from "@pulumi/pulumi";

import { decide } from "../analysis/engine";
import { BoundaryScope, workloadBoundaryPolicy } from "../components/policies/workload";
import { StageBoundary } from "../components/ci/stageBoundary";

const ACCOUNT = "111122223333";
const REGION = "ap-northeast-1";
const SCOPE: BoundaryScope = {
    accountId: ACCOUNT,
    region: REGION,
    userFilesBucketPrefix: "federated-access-deve-user-files-",
    userFilesPrefix: "cognito-test",
    apiExecutionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:api123`,
    logGroupPrefix: "/federated-access/deve/",
    userPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_pool`,
};

interface Declared {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Mocks that record each declared resource and give a policy an ARN of its name. */
async function mockEngine(): Promise<Declared[]> {
    const declared: Declared[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                declared.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:iam::${ACCOUNT}:policy${args.inputs.path ?? "/"}${args.inputs.name}` } };
            },
            call: (args) => args.inputs,
        },
        "federated-access",
        "deve",
        false,
    );
    return declared;
}

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((v) => resolve(v)));

let serial = 0;
const fresh = (name: string) => `${name}-${++serial}`;

describe("StageBoundary", () => {
    it("declares one managed policy, in the component, holding the builder's boundary for the scope", async () => {
        const declared = await mockEngine();
        const name = fresh("boundary");
        const boundary = new StageBoundary(name, { policyName: "federated-access-deve-boundary", path: "/federated-access-ci/deve/", scope: SCOPE, tags: { stage: "deve" } });
        const arn = await valueOf(boundary.arn);
        assert.strictEqual(arn, `arn:aws:iam::${ACCOUNT}:policy/federated-access-ci/deve/federated-access-deve-boundary`);
        assert.strictEqual(await valueOf(boundary.policy.arn), arn);
        const urn = await valueOf(boundary.policy.urn);
        assert.ok(urn.endsWith(`::federated-access:access:StageBoundary$aws:iam/policy:Policy::${name}-policy`), urn);
        const policies = declared.filter((d) => d.type === "aws:iam/policy:Policy");
        assert.deepStrictEqual(
            policies.map((d) => [d.name, d.inputs.name, d.inputs.path, d.inputs.description, d.inputs.tags]),
            [[`${name}-policy`, "federated-access-deve-boundary", "/federated-access-ci/deve/", "Permissions boundary of every workload role of the stage", { stage: "deve" }]],
        );
        const doc = JSON.parse(policies[0].inputs.policy);
        assert.deepStrictEqual(doc, workloadBoundaryPolicy(SCOPE));
        // And as IAM reads it: a role under it reaches its identity's own folder only.
        const everything = [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }];
        const under = (resource: string) =>
            decide({
                principal: `arn:aws:sts::${ACCOUNT}:assumed-role/identities-user/s`,
                action: "s3:GetObject",
                resource,
                resourceAccount: ACCOUNT,
                identityPolicies: everything,
                permissionBoundaries: [doc],
                identityId: `${REGION}:aaaaaaaa-0000-4000-8000-000000000001`,
            });
        assert.strictEqual(await under(`arn:aws:s3:::federated-access-deve-user-files-1/cognito-test/${REGION}:aaaaaaaa-0000-4000-8000-000000000001/x`), "Allowed");
        assert.notStrictEqual(await under(`arn:aws:s3:::federated-access-deve-user-files-1/cognito-test/${REGION}:bbbbbbbb-0000-4000-8000-000000000002/x`), "Allowed");
    });

    it("takes its scope as an output, resolved before the policy is written", async () => {
        const declared = await mockEngine();
        const boundary = new StageBoundary(fresh("later"), { policyName: "p", path: "/federated-access-ci/deve/", scope: pulumi.output(Promise.resolve(SCOPE)) });
        await valueOf(boundary.arn);
        const policy = declared.find((d) => d.type === "aws:iam/policy:Policy");
        assert.deepStrictEqual(JSON.parse(policy?.inputs.policy), workloadBoundaryPolicy(SCOPE));
        assert.strictEqual(policy?.inputs.tags, undefined, "no tags unless given");
    });

    it("refuses a path that is not an IAM role path, naming the component", async () => {
        await mockEngine();
        for (const path of ["federated-access-ci/deve/", "/federated-access-ci/deve", "/a//b/", "/a b/"]) {
            assert.throws(
                () => new StageBoundary("b", { policyName: "p", path, scope: SCOPE }),
                (e: Error) => e.message === `StageBoundary 'b': rolePath must start and end with '/', got '${path}'`,
                path,
            );
        }
    });

    it("refuses a policy name IAM would refuse, and takes every name it accepts", async () => {
        await mockEngine();
        for (const policyName of ["", "a/b", "a b", "a:b", "x".repeat(129), "boundary\n"]) {
            assert.throws(
                () => new StageBoundary("b", { policyName, path: "/p/", scope: SCOPE }),
                (e: Error) => e.message === `StageBoundary 'b': policyName must be an IAM policy name, got '${policyName}'`,
                JSON.stringify(policyName),
            );
        }
        for (const policyName of ["x", "x".repeat(128), "Az09_+=,.@-"]) {
            assert.doesNotThrow(() => new StageBoundary(fresh("ok"), { policyName, path: "/p/", scope: SCOPE }), policyName);
        }
    });
});
