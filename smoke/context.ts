import type { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import type { S3Client } from "@aws-sdk/client-s3";
import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import type { SignedApiClient } from "../client/apiClient";
import type { StackOutputs } from "./outputs";
import type { SmokeUsersClient } from "./smokeUsersClient";
import type { Stepper } from "./steps";

/**
 * The AWS clients of a run. The operator's (`users`, `records`) carry the smoke role's
 * credentials, which reach the smoke-users broker and the run records, and nothing in the user
 * pool itself or in any user's folder; everything else is done with the temporary users' own
 * credentials.
 */
export interface SmokeClients {
    /** The smoke-users broker: the run's own users only. */
    readonly users: SmokeUsersClient;
    /** Cognito Identity: GetId and GetCredentialsForIdentity, which the SDK sends unsigned. */
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
