import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import { CognitoJwtVerifier } from "aws-jwt-verify";

import { requireEnv } from "./env";
import { CognitoIdentitySender } from "./identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "./readFile";

/** Environment variables the `GET /read-file` function is deployed with. */
export const READ_FILE_ENV = [
    "USER_POOL_ID",
    "USER_POOL_CLIENT_ID",
    "IDENTITY_POOL_ID",
    "USER_FILES_BUCKET",
    "USER_FILES_PREFIX",
] as const;

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
            s3For: (credentials) => new S3Client({ region, credentials, maxAttempts: 2, requestHandler: REQUEST_HANDLER }),
        },
    );
}
