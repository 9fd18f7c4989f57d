/**
 * The real AWS clients of a smoke run.
 *
 * A request that no one answers must not outlive its step. Each step passes an `abortSignal`
 * to `send`, which destroys the request's socket when the step gives up. As a second line,
 * the HTTP handler gets `throwOnRequestTimeout`: in the installed @smithy/node-http-handler
 * (4.14, node_modules/@smithy/node-http-handler/dist-cjs/index.js, `setRequestTimeout`) a
 * `requestTimeout` alone only logs a warning and leaves the socket open; with the option set
 * it destroys the request and fails it.
 */
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { createSignedApiClient } from "../client/apiClient";
import type { SmokeClients } from "./context";
import { lambdaInvoker, smokeUsersClient } from "./smokeUsersClient";

export interface AwsClientOptions {
    readonly region: string;
    readonly apiEndpoint: string;
    /** Name of the stage's smoke-users broker function (stack output `smokeUsersFunctionName`). */
    readonly smokeUsersFunction: string;
    /** The operator's (smoke role's) credentials. */
    readonly operator: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** The step's time limit; the handler's own limit sits above it, as a backstop. */
    readonly attemptTimeoutMs: number;
    /** Another endpoint for every service (a loopback fake). @default AWS */
    readonly endpoint?: string;
    /** Another endpoint for Lambda only. @default `endpoint`, else AWS */
    readonly lambdaEndpoint?: string;
}

export interface AwsClients extends SmokeClients {
    /** Closes every client's connections. */
    destroy(): void;
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
    // Above the step's limit, so the step's abort comes first and this only catches what escapes it.
    const backstopMs = options.attemptTimeoutMs + Math.min(1000, options.attemptTimeoutMs);
    const requestHandler = {
        connectionTimeout: Math.min(3000, options.attemptTimeoutMs),
        requestTimeout: backstopMs,
        throwOnRequestTimeout: true,
    };
    const base = {
        region: options.region,
        // Throttling and 5xx are retried by the SDK; the settling errors by the step around it.
        maxAttempts: 3,
        requestHandler,
        ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    };
    const made: { destroy(): void }[] = [];
    const keep = <T extends { destroy(): void }>(client: T): T => {
        made.push(client);
        return client;
    };
    const byKey = new Map<string, S3Client>();
    const anonymous = keep(new STSClient(base));
    return {
        users: smokeUsersClient(
            lambdaInvoker({ region: options.region, functionName: options.smokeUsersFunction, credentials: options.operator, timeoutMs: backstopMs, endpoint: options.lambdaEndpoint ?? options.endpoint }),
        ),
        // GetId and GetCredentialsForIdentity go unsigned: no operator credentials are needed or given.
        identity: keep(new CognitoIdentityClient({ ...base })),
        records: keep(new S3Client({ ...base, credentials: options.operator })),
        s3For(credentials) {
            let client = byKey.get(credentials.accessKeyId);
            if (!client) byKey.set(credentials.accessKeyId, (client = keep(new S3Client({ ...base, credentials }))));
            return client;
        },
        stsFor: (credentials) => (credentials ? keep(new STSClient({ ...base, credentials })) : anonymous),
        apiFor: (credentials) => createSignedApiClient({ endpoint: options.apiEndpoint, region: options.region, credentials, timeoutMs: backstopMs }),
        destroy() {
            for (const client of made) client.destroy();
        },
    };
}
