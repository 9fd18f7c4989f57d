import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "../config/naming";
import { identityPoolTrustPolicy, perIdentityStoragePolicy } from "../policies/workload";
import { checkGroupNames } from "./userDirectory";

export interface IdentityFederationArgs<G extends string = string> {
    /**
     * The user pool's groups that get a role, highest precedence first: each gets an identity-pool
     * role of its own, chosen by a rule on the token's `cognito:groups` (first match wins); a user
     * in none of them gets no credentials. Names must not contain one another (`checkGroupNames`).
     */
    readonly groups: readonly G[];
    /**
     * The group whose role the identity pool names as its `authenticated` role, which its API
     * requires but never hands out here (rules decide; an unmatched user is denied).
     * @default the last of `groups`
     */
    readonly authenticatedGroup?: G;
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
export class IdentityFederation<G extends string = string> extends pulumi.ComponentResource {
    public readonly identityPool: aws.cognito.IdentityPool;
    /** Each group's role. */
    public readonly roles: Record<G, aws.iam.Role>;
    public readonly roleAttachment: aws.cognito.IdentityPoolRoleAttachment;

    constructor(name: string, args: IdentityFederationArgs<G>, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:identity:IdentityFederation", name, {}, opts);
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(args.prefix)) {
            throw new Error(
                `IdentityFederation '${name}': prefix must be 1-63 lowercase letters, digits or '-', got '${args.prefix}'`,
            );
        }
        checkRolePath(`IdentityFederation '${name}'`, args.rolePath);
        if (args.groups.length === 0) throw new Error(`IdentityFederation '${name}': groups must name at least one group`);
        checkGroupNames(`IdentityFederation '${name}'`, args.groups);
        const authenticatedGroup = args.authenticatedGroup ?? args.groups[args.groups.length - 1];
        if (!args.groups.includes(authenticatedGroup)) {
            throw new Error(`IdentityFederation '${name}': authenticatedGroup '${authenticatedGroup}' is not one of groups (${args.groups.join(", ")})`);
        }
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

        const roles: Partial<Record<G, aws.iam.Role>> = {};
        for (const group of args.groups) {
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
        this.roles = roles as Record<G, aws.iam.Role>;

        this.roleAttachment = new aws.cognito.IdentityPoolRoleAttachment(
            `${name}-roles`,
            {
                identityPoolId: this.identityPool.id,
                // Never handed out: rules decide, and an unmatched user is denied rather than defaulted.
                roles: { authenticated: this.roles[authenticatedGroup].arn },
                roleMappings: [
                    {
                        identityProvider: pulumi.interpolate`${args.providerName}:${args.clientId}`,
                        type: "Rules",
                        ambiguousRoleResolution: "Deny",
                        // First match wins: a member of both groups gets the admin role. Contains, not
                        // Equals, on a claim listing every group of the user: see checkGroupNames.
                        mappingRules: args.groups.map((group) => ({
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
            roleArns: Object.fromEntries(args.groups.map((group) => [group, this.roles[group].arn])),
        });
    }
}
