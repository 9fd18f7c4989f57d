import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { MfaMode } from "../config/stackSettings";

/** Groups users are placed in; the identity pool maps each to its own role. */
export const USER_GROUPS = ["admin", "user"] as const;
export type UserGroup = (typeof USER_GROUPS)[number];

/**
 * Refuses group names the identity pool's role rules could confuse. The rules match
 * `cognito:groups`, which lists every group of a user, with `Contains`: the documented match
 * types are Equals, Contains, StartsWith and NotEqual, and how Equals treats a claim of several
 * values is not documented
 * (https://github.com/awsdocs/amazon-cognito-developer-guide/blob/0b4d5467ecf06a602c89f6c91b5eabe3d89e9d73/doc_source/role-based-access-control.md),
 * so a member of two groups might match no Equals rule. Whether Contains compares whole values
 * or substrings is not documented either: names of lowercase letters, digits and '-' of which
 * none contains another match alike both ways (`user` would otherwise give the user role to a
 * group `superuser`, or `admin` the admin role to `admins`).
 */
export function checkGroupNames(component: string, names: readonly string[]): void {
    for (const name of names) {
        if (!/^[a-z0-9-]{1,128}$/.test(name)) {
            throw new Error(`${component}: group names must be lowercase letters, digits or '-', got '${name}'`);
        }
        const inside = names.find((other) => other !== name && other.includes(name));
        if (inside !== undefined) {
            throw new Error(`${component}: group '${inside}' contains the name of group '${name}', so a role rule matching '${name}' could match its members too`);
        }
    }
    if (new Set(names).size !== names.length) throw new Error(`${component}: group names repeat: ${names.join(", ")}`);
}

/**
 * Attributes a signed-in user may change about themselves through the app client. Cognito lets
 * an app client with no write-attribute list write every standard attribute (`WriteAttributes`,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html),
 * so the list is explicit and never empty. It names none of the attributes that identify a user
 * or recover the account: `email` is the username and the recovery channel, so whoever holds
 * a stolen access token could otherwise set it to their own address, verify that address
 * themselves and reset the password.
 */
export const SELF_WRITABLE_ATTRIBUTES = ["locale", "zoneinfo"] as const;

/** Attributes that identify a user or reach them: never writable by the user. */
export const IDENTIFYING_ATTRIBUTES = ["email", "email_verified", "phone_number", "phone_number_verified", "preferred_username", "sub", "name", "given_name", "family_name", "nickname"] as const;

/** A token lifetime Cognito accepts for IdTokens and access tokens: 5 minutes to a day; 60 when not given. */
function checkTokenMinutes(component: string, field: string, value: number | undefined): number {
    const minutes = value ?? 60;
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
        throw new Error(`UserDirectory '${component}': ${field} must be an integer from 5 to 1440, got '${minutes}'`);
    }
    return minutes;
}

export interface UserDirectoryArgs<G extends string = UserGroup> {
    /**
     * The pool's groups, in precedence order (the first wins where a user is in several); names
     * of lowercase letters, digits or '-', none containing another (`checkGroupNames`). Pass the
     * same list to `IdentityFederation`, which maps each group to its role.
     * @default USER_GROUPS (`admin`, `user`)
     */
    readonly groups?: readonly G[];
    /**
     * MFA mode. `OPTIONAL` lets each user enrol a TOTP app, `ON` requires it at sign-in.
     * @default "OPTIONAL"
     */
    readonly mfa?: MfaMode;
    /**
     * Refuse deletion of the user pool (Cognito deletion protection) and protect it and its
     * groups (their memberships are data) in Pulumi.
     * @default false
     */
    readonly protect?: boolean;
    /**
     * Lifetime of IdTokens issued to the app client, in minutes (5 to 1440).
     * @default 60
     */
    readonly idTokenValidityMinutes?: number;
    /**
     * Lifetime of access tokens, in minutes (5 to 1440). Kept apart from the IdToken's: an access
     * token authorizes the user's own user-pool calls (attribute changes, sign-out), and a longer
     * IdToken, which only the identity pool reads, does not lengthen it.
     * @default 60
     */
    readonly accessTokenValidityMinutes?: number;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The user directory: a Cognito user pool whose users only an administrator can create,
 * an app client without a secret, and its groups (by default `admin` and `user`).
 */
export class UserDirectory<G extends string = UserGroup> extends pulumi.ComponentResource {
    public readonly userPool: aws.cognito.UserPool;
    public readonly client: aws.cognito.UserPoolClient;
    public readonly groups: Record<G, aws.cognito.UserGroup>;
    /** `cognito-idp.<region>.amazonaws.com/<poolId>`: the key of `Logins` maps and the OIDC issuer host/path. */
    public readonly providerName: pulumi.Output<string>;
    /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the `iss` claim of its tokens. */
    public readonly issuerUrl: pulumi.Output<string>;

    constructor(name: string, args: UserDirectoryArgs<G> = {}, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:identity:UserDirectory", name, {}, opts);
        const groupNames = (args.groups ?? USER_GROUPS) as readonly G[];
        if (groupNames.length === 0) throw new Error(`UserDirectory '${name}': groups must name at least one group`);
        checkGroupNames(`UserDirectory '${name}'`, groupNames);
        const mfa = args.mfa ?? "OPTIONAL";
        if (mfa !== "OPTIONAL" && mfa !== "ON") {
            throw new Error(`UserDirectory '${name}': mfa must be OPTIONAL or ON, got '${mfa}'`);
        }
        const idTokenValidityMinutes = checkTokenMinutes(name, "idTokenValidityMinutes", args.idTokenValidityMinutes);
        const accessTokenValidityMinutes = checkTokenMinutes(name, "accessTokenValidityMinutes", args.accessTokenValidityMinutes);
        const protect = args.protect ?? false;

        this.userPool = new aws.cognito.UserPool(
            `${name}-pool`,
            {
                adminCreateUserConfig: { allowAdminCreateUserOnly: true },
                usernameAttributes: ["email"],
                autoVerifiedAttributes: ["email"],
                passwordPolicy: {
                    minimumLength: 14,
                    requireLowercase: true,
                    requireUppercase: true,
                    requireNumbers: true,
                    requireSymbols: true,
                    temporaryPasswordValidityDays: 3,
                    passwordHistorySize: 5,
                },
                mfaConfiguration: mfa,
                softwareTokenMfaConfiguration: { enabled: true },
                accountRecoverySetting: {
                    recoveryMechanisms: [{ name: "verified_email", priority: 1 }],
                },
                // A changed email takes effect only once the new address is verified; until then
                // the old one stays the username and the recovery channel
                // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserAttributeUpdateSettingsType.html).
                // An administrator's change (AdminUpdateUserAttributes) is not held back by it.
                userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
                userPoolTier: "ESSENTIALS",
                deletionProtection: protect ? "ACTIVE" : "INACTIVE",
                tags: args.tags,
            },
            { parent: this, protect },
        );

        this.client = new aws.cognito.UserPoolClient(
            `${name}-client`,
            {
                userPoolId: this.userPool.id,
                generateSecret: false,
                // SRP for people signing in from an app; ADMIN_USER_PASSWORD_AUTH only for callers
                // holding cognito-idp:AdminInitiateAuth (the smoke checks), never anonymous passwords.
                explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                preventUserExistenceErrors: "ENABLED",
                enableTokenRevocation: true,
                idTokenValidity: idTokenValidityMinutes,
                accessTokenValidity: accessTokenValidityMinutes,
                refreshTokenValidity: 30,
                tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
                supportedIdentityProviders: ["COGNITO"],
                writeAttributes: [...SELF_WRITABLE_ATTRIBUTES],
            },
            { parent: this },
        );

        const groups: Partial<Record<G, aws.cognito.UserGroup>> = {};
        groupNames.forEach((group, precedence) => {
            groups[group] = new aws.cognito.UserGroup(
                `${name}-${group}`,
                { userPoolId: this.userPool.id, name: group, precedence, description: `Members get the ${group} role` },
                { parent: this, protect },
            );
        });
        this.groups = groups as Record<G, aws.cognito.UserGroup>;
        this.providerName = this.userPool.endpoint;
        this.issuerUrl = pulumi.interpolate`https://${this.userPool.endpoint}`;

        this.registerOutputs({
            userPoolId: this.userPool.id,
            clientId: this.client.id,
            providerName: this.providerName,
            issuerUrl: this.issuerUrl,
        });
    }
}
