import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "./naming";
import { identityPoolTrustPolicy, perIdentityStoragePolicy } from "./policies";
import { checkGroupNames, USER_GROUPS, UserGroup } from "./userDirectory";

export interface IdentityFederationArgs {
    /** `cognito-idp.<region>.amazonaws.com/<poolId>` of the user pool whose users sign in. */
    readonly providerName: pulumi.Input<string>;
    /** App client whose IdTokens the identity pool accepts. */
    readonly clientId: pulumi.Input<string>;
    /** Bucket holding one folder per identity. */
    readonly bucketName: pulumi.Input<string>;
    /** Folder of the bucket under which `<identityId>/` folders live (no slashes). */
    readonly prefix: string;
    /**
     * Name prefix of the IAM roles, e.g. `federated-access-deve`.
     * @default the component name
     */
    readonly roleNamePrefix?: string;
    /** IAM path of the roles. @default "/" */
    readonly rolePath?: string;
    /** ARN of the managed policy set as every role's permissions boundary. @default none */
    readonly permissionsBoundary?: pulumi.Input<string>;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
    /**
     * Protect the identity pool and its role mapping in Pulumi (a replacement or deletion fails
     * instead of running) and keep the pool when the stack is destroyed. Identity ids name every
     * user's folder: a new pool gives every user a new id, and their files stay under the old one.
     * @default false
     */
    readonly protect?: boolean;
}

/**
 * Identity pool federation for signed-in users: authenticated identities only, no classic
 * flow, one role per user group chosen by a rule on `cognito:groups` (anything ambiguous
 * or unmatched gets no credentials), each role limited to its identity's own folder.
 */
export class IdentityFederation extends pulumi.ComponentResource {
    public readonly identityPool: aws.cognito.IdentityPool;
    public readonly roles: Record<UserGroup, aws.iam.Role>;
    public readonly roleAttachment: aws.cognito.IdentityPoolRoleAttachment;

    constructor(name: string, args: IdentityFederationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:identity:IdentityFederation", name, {}, opts);
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(args.prefix)) {
            throw new Error(
                `IdentityFederation '${name}': prefix must be 1-63 lowercase letters, digits or '-', got '${args.prefix}'`,
            );
        }
        checkRolePath(`IdentityFederation '${name}'`, args.rolePath);
        const roleNamePrefix = args.roleNamePrefix ?? name;
        const protect = args.protect ?? false;

        this.identityPool = new aws.cognito.IdentityPool(
            `${name}-pool`,
            {
                identityPoolName: `${roleNamePrefix.replace(/-/g, "_")}_identities`,
                allowUnauthenticatedIdentities: false,
                allowClassicFlow: false,
                cognitoIdentityProviders: [
                    // serverSideTokenCheck makes Cognito refuse tokens of signed-out (revoked) sessions.
                    { providerName: args.providerName, clientId: args.clientId, serverSideTokenCheck: true },
                ],
                tags: args.tags,
            },
            { parent: this, protect, retainOnDelete: protect },
        );

        const trust = this.identityPool.id.apply((id) => JSON.stringify(identityPoolTrustPolicy(id)));
        const storage = pulumi
            .output(args.bucketName)
            .apply((bucket) => JSON.stringify(perIdentityStoragePolicy(bucket, args.prefix)));

        const roles: Partial<Record<UserGroup, aws.iam.Role>> = {};
        for (const group of USER_GROUPS) {
            const role = new aws.iam.Role(
                `${name}-${group}`,
                {
                    name: `${roleNamePrefix}-${group}-identity`,
                    path: args.rolePath,
                    permissionsBoundary: args.permissionsBoundary,
                    description: `Identity-pool role of the '${group}' group`,
                    assumeRolePolicy: trust,
                    maxSessionDuration: 3600,
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-${group}-storage`,
                { role: role.name, name: "own-folder-storage", policy: storage },
                { parent: this },
            );
            roles[group] = role;
        }
        this.roles = roles as Record<UserGroup, aws.iam.Role>;

        checkGroupNames(`IdentityFederation '${name}'`, USER_GROUPS);
        this.roleAttachment = new aws.cognito.IdentityPoolRoleAttachment(
            `${name}-roles`,
            {
                identityPoolId: this.identityPool.id,
                // Never handed out: rules decide, and an unmatched user is denied rather than defaulted.
                roles: { authenticated: this.roles.user.arn },
                roleMappings: [
                    {
                        identityProvider: pulumi.interpolate`${args.providerName}:${args.clientId}`,
                        type: "Rules",
                        ambiguousRoleResolution: "Deny",
                        // First match wins: a member of both groups gets the admin role. Contains, not
                        // Equals, on a claim listing every group of the user: see checkGroupNames.
                        mappingRules: USER_GROUPS.map((group) => ({
                            claim: "cognito:groups",
                            matchType: "Contains",
                            value: group,
                            roleArn: this.roles[group].arn,
                        })),
                    },
                ],
            },
            { parent: this, protect },
        );

        this.registerOutputs({
            identityPoolId: this.identityPool.id,
            adminRoleArn: this.roles.admin.arn,
            userRoleArn: this.roles.user.arn,
        });
    }
}
