/**
 * One place that decides where AWS credentials come from, for every place this project's
 * code runs. The choice is an explicit value (`CredentialSource`): detected from the
 * environment or stated by the caller, printed without secrets, and turned into an AWS
 * SDK v3 credential provider from `@aws-sdk/credential-providers`.
 */
import {
    fromCognitoIdentityPool,
    fromEnv,
    fromIni,
    fromNodeProviderChain,
    fromTemporaryCredentials,
    fromTokenFile,
} from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

export type CredentialSource =
    /** Inside Lambda: the execution role's credentials from the environment, no chain walk. */
    | { readonly kind: "lambda" }
    /** CI: an OIDC token file (GitHub Actions) exchanged with AssumeRoleWithWebIdentity. */
    | { readonly kind: "web-identity"; readonly roleArn: string; readonly tokenFile: string; readonly sessionName: string }
    /** A developer laptop: a named profile of ~/.aws/config (SSO or role profiles). */
    | { readonly kind: "profile"; readonly profile: string }
    /** Cross-account: temporary credentials of `roleArn`, assumed with `base`'s credentials. */
    | {
          readonly kind: "assume-role";
          readonly roleArn: string;
          readonly sessionName: string;
          readonly externalId?: string;
          readonly durationSeconds?: number;
          readonly base: CredentialSource;
      }
    /** A signed-in user: identity-pool credentials for its IdToken. */
    | { readonly kind: "identity-pool"; readonly identityPoolId: string; readonly logins: Record<string, string> }
    /** Anything else (env variables, ECS, EC2, default profile): the SDK's default chain. */
    | { readonly kind: "default-chain" };

/** The provider factories used; tests substitute recording fakes. */
export interface ProviderFactories {
    fromEnv: typeof fromEnv;
    fromTokenFile: typeof fromTokenFile;
    fromIni: typeof fromIni;
    fromTemporaryCredentials: typeof fromTemporaryCredentials;
    fromCognitoIdentityPool: typeof fromCognitoIdentityPool;
    fromNodeProviderChain: typeof fromNodeProviderChain;
}

const SDK_PROVIDERS: ProviderFactories = {
    fromEnv,
    fromTokenFile,
    fromIni,
    fromTemporaryCredentials,
    fromCognitoIdentityPool,
    fromNodeProviderChain,
};

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Where this process runs, read from the variables each environment sets. */
export function detectSource(env: NodeJS.ProcessEnv = process.env): CredentialSource {
    if (env.AWS_LAMBDA_FUNCTION_NAME) {
        return { kind: "lambda" };
    }
    if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
        const sessionName = env.AWS_ROLE_SESSION_NAME ?? `ci-${env.GITHUB_RUN_ID ?? Date.now()}`;
        return { kind: "web-identity", roleArn: env.AWS_ROLE_ARN, tokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE, sessionName };
    }
    if (env.AWS_PROFILE) {
        return { kind: "profile", profile: env.AWS_PROFILE };
    }
    return { kind: "default-chain" };
}

/** A one-line description of a source, with no secret in it. */
export function describeSource(source: CredentialSource): string {
    switch (source.kind) {
        case "lambda":
            return "Lambda execution role (environment)";
        case "web-identity":
            return `web identity token ${source.tokenFile} -> ${source.roleArn}`;
        case "profile":
            return `profile '${source.profile}'`;
        case "assume-role":
            return `${describeSource(source.base)} -> assume ${source.roleArn}${source.externalId ? " (with external id)" : ""}`;
        case "identity-pool":
            return `identity pool ${source.identityPoolId} for ${Object.keys(source.logins).join(", ")}`;
        case "default-chain":
            return "default provider chain";
        default:
            throw new Error(`Unhandled credential source: ${(source satisfies never as { kind: string }).kind}`);
    }
}

function validate(source: CredentialSource): void {
    if ((source.kind === "web-identity" || source.kind === "assume-role") && !ROLE_ARN.test(source.roleArn)) {
        throw new Error(`${source.kind}: roleArn must be an IAM role ARN, got '${source.roleArn}'`);
    }
    if ((source.kind === "web-identity" || source.kind === "assume-role") && !SESSION_NAME.test(source.sessionName)) {
        throw new Error(`${source.kind}: sessionName must be 2-64 of [A-Za-z0-9_+=,.@-], got '${source.sessionName}'`);
    }
    if (source.kind === "identity-pool" && Object.keys(source.logins).length === 0) {
        throw new Error("identity-pool: logins must hold at least one provider token");
    }
}

/** The credential provider for a source. Nothing is fetched until the SDK asks for credentials. */
export function credentialsFor(
    source: CredentialSource,
    options: { readonly region: string },
    providers: ProviderFactories = SDK_PROVIDERS,
): AwsCredentialIdentityProvider {
    validate(source);
    const clientConfig = { region: options.region };
    switch (source.kind) {
        case "lambda":
            return providers.fromEnv();
        case "web-identity":
            return providers.fromTokenFile({
                roleArn: source.roleArn,
                webIdentityTokenFile: source.tokenFile,
                roleSessionName: source.sessionName,
                clientConfig,
            });
        case "profile":
            return providers.fromIni({ profile: source.profile, clientConfig });
        case "assume-role":
            return providers.fromTemporaryCredentials({
                masterCredentials: credentialsFor(source.base, options, providers),
                params: {
                    RoleArn: source.roleArn,
                    RoleSessionName: source.sessionName,
                    DurationSeconds: source.durationSeconds ?? 900,
                    ...(source.externalId ? { ExternalId: source.externalId } : {}),
                },
                clientConfig,
            });
        case "identity-pool":
            return providers.fromCognitoIdentityPool({
                identityPoolId: source.identityPoolId,
                logins: source.logins,
                clientConfig,
            });
        case "default-chain":
            return providers.fromNodeProviderChain({ clientConfig });
        default:
            throw new Error(`Unhandled credential source: ${(source satisfies never as { kind: string }).kind}`);
    }
}
