import { CognitoJwtVerifier } from "aws-jwt-verify";

import { requireEnv } from "./env";
import { createCognitoIdentitySender } from "./cognitoIdentity";
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
 * `bundledPackages`): the token verifier, and the SDK's own parts for the S3 and Cognito
 * Identity calls: its SigV4 signer, its SHA-256 (`@smithy/core`), its request and its Node transport.
 */
export const READ_FILE_PACKAGES = ["aws-jwt-verify", "@smithy/core", "@smithy/node-http-handler", "@smithy/protocol-http", "@smithy/signature-v4"];

/**
 * Short timeouts: a hung dependency must surface well inside the function timeout. The
 * connection's, and the longest silence of an open connection (the SDK's handler calls it
 * `socketTimeout`; its `requestTimeout` bounds the time to the answer's headers).
 */
const REQUEST_HANDLER = { connectionTimeout: 1000, socketTimeout: 3000 };

/**
 * The `callbackFactory` of the read-file function: runs once per container. It only reads
 * the configuration; the verifier is built by the first request that needs it (a request
 * without a token does not) and reused by every later one. Nothing is fetched at start.
 */
export function readFileCallbackFactory() {
    const env = requireEnv([...READ_FILE_ENV, "AWS_REGION"]);
    const region = env.AWS_REGION;
    // Read as the SDK's clients read them, so one setting points every AWS call elsewhere (the tests' loopback AWS).
    const endpointOf = (service: string) => process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
    const s3Endpoint = endpointOf("S3");
    let verifier: IdTokenVerifier | undefined;
    const lazyVerifier: IdTokenVerifier = {
        verify: (token) =>
            (verifier ??= CognitoJwtVerifier.create({
                userPoolId: env.USER_POOL_ID,
                clientId: env.USER_POOL_CLIENT_ID,
                tokenUse: "id",
            })).verify(token),
    };
    const identity: CognitoIdentitySender = createCognitoIdentitySender({
        region,
        endpoint: endpointOf("COGNITO_IDENTITY"),
        maxAttempts: 2,
        connectionTimeoutMs: REQUEST_HANDLER.connectionTimeout,
        requestTimeoutMs: REQUEST_HANDLER.socketTimeout,
    });
    return createReadFileHandler(
        {
            identityPoolId: env.IDENTITY_POOL_ID,
            providerName: `cognito-idp.${region}.amazonaws.com/${env.USER_POOL_ID}`,
            bucket: env.USER_FILES_BUCKET,
            prefix: env.USER_FILES_PREFIX,
        },
        {
            verifier: lazyVerifier,
            identity,
            s3For: (credentials) =>
                createS3Reader({
                    region,
                    credentials,
                    endpoint: s3Endpoint,
                    maxAttempts: 2,
                    connectionTimeoutMs: REQUEST_HANDLER.connectionTimeout,
                    requestTimeoutMs: REQUEST_HANDLER.socketTimeout,
                }),
        },
    );
}
