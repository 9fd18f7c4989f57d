import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import type { S3Client } from "@aws-sdk/client-s3";
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import type { SignedApiClient } from "../client/apiClient";
import type { StackOutputs } from "./outputs";
import type { Stepper } from "./steps";

/**
 * The AWS clients of a run. The operator's (`idp`, `identity`, `records`) carry the smoke
 * role's credentials, which reach the stage's user pool, its identities and the run records,
 * and nothing in any user's folder; everything else is done with the temporary users' own
 * credentials.
 */
export interface SmokeClients {
    /** Cognito user pool administration. */
    readonly idp: CognitoIdentityProviderClient;
    /** Cognito Identity: DeleteIdentities signed; GetId and GetCredentialsForIdentity are sent unsigned by the SDK. */
    readonly identity: CognitoIdentityClient;
    /** S3 for the run records under the records prefix. */
    readonly records: S3Client;
    readonly s3For: (credentials: AwsCredentialIdentity) => S3Client;
    /** STS with the given credentials, or without (AssumeRoleWithWebIdentity needs none). */
    readonly stsFor: (credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider) => STSClient;
    readonly apiFor: (credentials: AwsCredentialIdentity) => SignedApiClient;
}

export interface Context {
    readonly out: StackOutputs;
    readonly clients: SmokeClients;
    readonly steps: Stepper;
    readonly now: () => number;
}
