import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "./naming";
import { crossAccountTrustPolicy } from "./policies";
import { Stage, titleCase } from "./stage";

/** Role names, in the caller's account, of its development and production workloads. */
export interface CallerRoles {
    /** Trusted by deve and stag, e.g. `LambdaRoleDeve`. */
    readonly development: string;
    /** Trusted by prod, e.g. `LambdaRoleProd`. */
    readonly production: string;
}

/**
 * Which caller role a stage trusts. deve and stag both serve the caller's development
 * work (stag is what it develops against; deve stays reachable while stag is broken); prod
 * serves its production only. A new stage does not compile until it is handled here.
 */
export function callerRoleFor(stage: Stage, roles: CallerRoles): string {
    switch (stage) {
        case "deve":
        case "stag":
            return roles.development;
        case "prod":
            return roles.production;
        default:
            throw new Error(`Unhandled stage: ${stage satisfies never}`);
    }
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface StageAccessRoleArgs {
    readonly stage: Stage;
    /** The caller's 12-digit AWS account id. */
    readonly callerAccountId: string;
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
        this.trustedCallerArn = `arn:aws:iam::${args.callerAccountId}:role/${callerRoleFor(args.stage, args.callerRoles)}`;
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
