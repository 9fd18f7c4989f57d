import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { CognitoJwtVerifier } from "aws-jwt-verify";

import { requireEnv } from "./env";
import { CognitoIdentitySender } from "./identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "./readFile";
import { createS3Reader } from "./s3Reader";

/** Environment variables the `GET /read-file` function is deployed with. */
export const READ_FILE_ENV = [
    "USER_POOL_ID",
    "USER_POOL_CLIENT_ID",
    "IDENTITY_POOL_ID",
    "USER_FILES_BUCKET",
    "USER_FILES_PREFIX",
] as const;

/**
 * Packages besides the AWS SDK that the read-file function's bundle carries (its
 * `bundledPackages`): the token verifier, and the SDK's SigV4 signer for the S3 reads.
 */
export const READ_FILE_PACKAGES = ["aws-jwt-verify", "@smithy/signature-v4"];

/** Short timeouts: a hung dependency must surface as a 503 well inside the function timeout. */
const REQUEST_HANDLER = { connectionTimeout: 1000, requestTimeout: 3000 };

/**
 * The `callbackFactory` of the read-file function: runs once per container. It only reads
 * the configuration; the verifier and the Cognito client are built by the first request that
 * needs them (a request without a token needs neither) and reused by every later one.
 */
export function readFileCallbackFactory() {
    const env = requireEnv([...READ_FILE_ENV, "AWS_REGION"]);
    const region = env.AWS_REGION;
    // Read as the SDK's clients read it, so one setting points every AWS call elsewhere (the tests' loopback AWS).
    const s3Endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
    let verifier: IdTokenVerifier | undefined;
    let identity: CognitoIdentityClient | undefined;
    const lazyVerifier: IdTokenVerifier = {
        verify: (token) =>
            (verifier ??= CognitoJwtVerifier.create({
                userPoolId: env.USER_POOL_ID,
                clientId: env.USER_POOL_CLIENT_ID,
                tokenUse: "id",
            })).verify(token),
    };
    const lazyIdentity: CognitoIdentitySender = {
        send: (command) => (identity ??= new CognitoIdentityClient({ region, maxAttempts: 2, requestHandler: REQUEST_HANDLER })).send(command as never),
    };
    return createReadFileHandler(
        {
            identityPoolId: env.IDENTITY_POOL_ID,
            providerName: `cognito-idp.${region}.amazonaws.com/${env.USER_POOL_ID}`,
            bucket: env.USER_FILES_BUCKET,
            prefix: env.USER_FILES_PREFIX,
        },
        {
            verifier: lazyVerifier,
            identity: lazyIdentity,
            s3For: (credentials) =>
                createS3Reader({
                    region,
                    credentials,
                    endpoint: s3Endpoint,
                    maxAttempts: 2,
                    connectionTimeoutMs: REQUEST_HANDLER.connectionTimeout,
                    requestTimeoutMs: REQUEST_HANDLER.requestTimeout,
                }),
        },
    );
}
