import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "../config/naming";
import { webIdentityTrustPolicy } from "../policies/workload";

export interface UserPoolOidcAccessArgs {
    /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the user pool's issuer. */
    readonly issuerUrl: pulumi.Input<string>;
    /** The app client whose IdTokens (their `aud`) may assume the role. */
    readonly clientId: pulumi.Input<string>;
    /** ARN of the managed policy set as the role's permissions boundary. @default none */
    readonly permissionsBoundary?: pulumi.Input<string>;
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
 * Every user of the app client holds such a token, so the role is everyone's: it has no
 * rights of its own and reaches no user data. Grant it what all signed-in users may do
 * (here: `GET /whoami`, through `HttpApi.grantInvoke`).
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
                permissionsBoundary: args.permissionsBoundary,
                description: "Assumed with any user pool IdToken of the app client (AssumeRoleWithWebIdentity): what every signed-in user may do",
                assumeRolePolicy: pulumi
                    .all([this.provider.arn, host, args.clientId])
                    .apply(([arn, h, clientId]) => JSON.stringify(webIdentityTrustPolicy(arn, h, { aud: clientId }))),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ providerArn: this.provider.arn, roleArn: this.role.arn });
    }
}
