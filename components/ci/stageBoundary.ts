import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "../config/naming";
import { BoundaryScope, workloadBoundaryPolicy } from "../policies/workload";

export interface StageBoundaryArgs {
    /** Physical name of the managed policy. */
    readonly policyName: string;
    /** IAM path of the policy: keep it where the stage's deploy role cannot write. */
    readonly path: string;
    /** What the stage's workload roles may ever reach. */
    readonly scope: pulumi.Input<BoundaryScope>;
    /** Tags applied to the policy. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The permissions boundary of a stage's workload roles: a managed policy that caps every
 * role the stage runs as, and every role its deploy role may create or change.
 */
export class StageBoundary extends pulumi.ComponentResource {
    public readonly policy: aws.iam.Policy;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: StageBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:access:StageBoundary", name, {}, opts);
        checkRolePath(`StageBoundary '${name}'`, args.path);
        if (!/^[\w+=,.@-]{1,128}$/.test(args.policyName)) {
            throw new Error(`StageBoundary '${name}': policyName must be an IAM policy name, got '${args.policyName}'`);
        }
        this.policy = new aws.iam.Policy(
            `${name}-policy`,
            {
                name: args.policyName,
                path: args.path,
                description: "Permissions boundary of every workload role of the stage",
                policy: pulumi.output(args.scope).apply((scope) => JSON.stringify(workloadBoundaryPolicy(scope))),
                tags: args.tags,
            },
            { parent: this },
        );
        this.arn = this.policy.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
