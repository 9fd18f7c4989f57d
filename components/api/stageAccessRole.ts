import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "../config/naming";
import { crossAccountTrustPolicy } from "../policies/workload";
import { Stage, Tier, titleCase } from "../config/stage";

/** Role names, in the caller's account, of its development and production workloads. */
export interface CallerRoles {
    /** Trusted by development stages (deve, stag), e.g. `LambdaRoleDeve`. */
    readonly development: string;
    /** Trusted by production stages (prod), e.g. `LambdaRoleProd`. */
    readonly production: string;
}

/**
 * Which caller role a stage of a tier trusts. Development stages (deve, stag) serve the
 * caller's development work (stag is what it develops against; deve stays reachable while
 * stag is broken); production serves its production only. A new tier does not compile until it
 * is handled here; a new stage is a stack file naming its tier.
 */
export function callerRoleFor(tier: Tier, roles: CallerRoles): string {
    switch (tier) {
        case "development":
            return roles.development;
        case "production":
            return roles.production;
        default:
            throw new Error(`Unhandled tier: ${tier satisfies never}`);
    }
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface StageAccessRoleArgs {
    /** The stage, named in the role's name (`ApiAllowByIamRole<Stage>`). */
    readonly stage: Stage;
    /** What the stage serves: picks the caller role it trusts (`callerRoleFor`). */
    readonly tier: Tier;
    /** The caller's 12-digit AWS account id. */
    readonly callerAccountId: string;
    /** The caller's role name for each tier; the role named for `tier` is the one trusted. */
    readonly callerRoles: CallerRoles;
    /**
     * When set, the caller must also present this `sts:ExternalId` (keep it a Pulumi secret).
     * @default no external id required
     */
    readonly externalId?: pulumi.Input<string>;
    /** Longest session the caller may ask for, in seconds (3600 to 43200). @default 3600 */
    readonly maxSessionDurationSeconds?: number;
    /** IAM path of the role. @default "/" */
    readonly rolePath?: string;
    /** ARN of the managed policy set as the role's permissions boundary. @default none */
    readonly permissionsBoundary?: pulumi.Input<string>;
    /** Tags applied to the role. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * `ApiAllowByIamRole<Stage>`: the role one role of the caller's account assumes to call
 * this stage's API. Its rights are granted by the API (`HttpApi.grantInvokeAll`).
 */
export class StageAccessRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleName: string;
    /** `arn:aws:iam::<callerAccountId>:role/<callerRole>`, the only principal trusted. */
    public readonly trustedCallerArn: string;

    constructor(name: string, args: StageAccessRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:access:StageAccessRole", name, {}, opts);
        if (!ACCOUNT_ID.test(args.callerAccountId)) {
            throw new Error(`StageAccessRole '${name}': callerAccountId must be a 12-digit AWS account id, got '${args.callerAccountId}'`);
        }
        for (const [which, roleName] of Object.entries(args.callerRoles)) {
            if (!ROLE_NAME.test(roleName)) {
                throw new Error(`StageAccessRole '${name}': callerRoles.${which} must be an IAM role name, got '${roleName}'`);
            }
        }
        checkRolePath(`StageAccessRole '${name}'`, args.rolePath);
        const maxSession = args.maxSessionDurationSeconds ?? 3600;
        if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
            throw new Error(`StageAccessRole '${name}': maxSessionDurationSeconds must be an integer from 3600 to 43200, got '${maxSession}'`);
        }

        this.roleName = `ApiAllowByIamRole${titleCase(args.stage)}`;
        this.trustedCallerArn = `arn:aws:iam::${args.callerAccountId}:role/${callerRoleFor(args.tier, args.callerRoles)}`;
        const trust =
            args.externalId === undefined
                ? JSON.stringify(crossAccountTrustPolicy(this.trustedCallerArn))
                : pulumi.output(args.externalId).apply((id) => JSON.stringify(crossAccountTrustPolicy(this.trustedCallerArn, id)));

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: this.roleName,
                path: args.rolePath,
                permissionsBoundary: args.permissionsBoundary,
                description: `Lets ${this.trustedCallerArn} call the ${args.stage} API`,
                assumeRolePolicy: trust,
                maxSessionDuration: maxSession,
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ roleArn: this.role.arn, trustedCallerArn: this.trustedCallerArn });
    }
}
