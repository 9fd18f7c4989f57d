import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "./naming";
import { bucketReadPolicy, webIdentityTrustPolicy } from "./policies";

export interface UserPoolOidcAccessArgs {
    /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the user pool's issuer. */
    readonly issuerUrl: pulumi.Input<string>;
    /** The app client whose IdTokens (their `aud`) may assume the role. */
    readonly clientId: pulumi.Input<string>;
    /** The bucket the role may read. */
    readonly bucketName: pulumi.Input<string>;
    /** Physical name of the role. */
    readonly roleName: string;
    /** IAM path of the role. @default "/" */
    readonly rolePath?: string;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The user pool registered as an IAM OIDC identity provider, and a role that an IdToken of
 * one app client assumes with `sts:AssumeRoleWithWebIdentity` (no identity pool involved).
 * The role reads the project's user files bucket and nothing else.
 */
export class UserPoolOidcAccess extends pulumi.ComponentResource {
    public readonly provider: aws.iam.OpenIdConnectProvider;
    public readonly role: aws.iam.Role;

    constructor(name: string, args: UserPoolOidcAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:identity:UserPoolOidcAccess", name, {}, opts);
        checkRolePath(`UserPoolOidcAccess '${name}'`, args.rolePath);
        if (!/^[\w+=,.@-]{1,64}$/.test(args.roleName)) {
            throw new Error(`UserPoolOidcAccess '${name}': roleName must be an IAM role name, got '${args.roleName}'`);
        }

        this.provider = new aws.iam.OpenIdConnectProvider(
            `${name}-provider`,
            { url: args.issuerUrl, clientIdLists: [args.clientId], tags: args.tags },
            { parent: this },
        );
        const host = pulumi.output(args.issuerUrl).apply((url) => url.replace(/^https:\/\//, ""));
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                path: args.rolePath,
                description: "Assumed with a user pool IdToken (AssumeRoleWithWebIdentity): reads the user files bucket",
                assumeRolePolicy: pulumi
                    .all([this.provider.arn, host, args.clientId])
                    .apply(([arn, h, clientId]) => JSON.stringify(webIdentityTrustPolicy(arn, h, { aud: clientId }))),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-read`,
            {
                role: this.role.name,
                name: "read-user-files",
                policy: pulumi.output(args.bucketName).apply((bucket) => JSON.stringify(bucketReadPolicy(bucket))),
            },
            { parent: this },
        );
        this.registerOutputs({ providerArn: this.provider.arn, roleArn: this.role.arn });
    }
}
