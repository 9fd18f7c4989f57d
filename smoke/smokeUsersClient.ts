/**
 * The smoke checks' side of the smoke-users broker (lambdas/smokeUsers.ts): each operation is one
 * synchronous Lambda invocation, signed with the operator's (smoke role's) credentials. The
 * broker's refusals and Cognito's errors come back as errors carrying the name the broker
 * answered, so the checks read them as they read the SDK's (`UsernameExistsException`,
 * `NotAuthorizedException`, `UserNotFoundException`).
 */
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import type { ListedSmokeUser, SmokeUsersRequest, SmokeUsersResponse } from "../lambdas/smokeUsers";

/** An error the broker, or Lambda on its behalf, answered. */
export class SmokeUsersError extends Error {
    readonly $metadata: { readonly httpStatusCode?: number };
    constructor(name: string, message: string, status?: number) {
        super(message);
        this.name = name;
        this.$metadata = { httpStatusCode: status };
    }
}

export interface SmokeUsersClient {
    /** Sends one request; resolves with the broker's answer, rejects with a `SmokeUsersError` or a transport error. */
    call(request: SmokeUsersRequest, options: { abortSignal: AbortSignal }): Promise<{ idToken?: string; users?: ListedSmokeUser[] }>;
}

/** A client over any way of invoking the broker with a JSON payload (Lambda, or a test's in-process call). */
export function smokeUsersClient(invoke: (payload: string, signal: AbortSignal) => Promise<string>): SmokeUsersClient {
    return {
        async call(request, { abortSignal }) {
            const text = await invoke(JSON.stringify(request), abortSignal);
            let answer: SmokeUsersResponse;
            try {
                answer = JSON.parse(text) as SmokeUsersResponse;
            } catch {
                throw new SmokeUsersError("SmokeUsersBadAnswer", `the broker's answer is not JSON: ${text.slice(0, 200)}`);
            }
            if (answer?.ok === true) return { idToken: answer.idToken, users: answer.users };
            if (answer?.ok === false && answer.error) throw new SmokeUsersError(String(answer.error.name), String(answer.error.message));
            throw new SmokeUsersError("SmokeUsersBadAnswer", `the broker answered neither ok nor an error: ${text.slice(0, 200)}`);
        },
    };
}

export interface LambdaInvokerOptions {
    readonly region: string;
    /** Name or ARN of the function. */
    readonly functionName: string;
    readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** The step's limit sits below it; this only catches what escapes the step. */
    readonly timeoutMs: number;
    /** @default https://lambda.<region>.amazonaws.com */
    readonly endpoint?: string;
}

/**
 * Lambda's Invoke (`POST /2015-03-31/functions/<name>/invocations`, RequestResponse): the
 * function's answer is the body; a function error is flagged by `X-Amz-Function-Error`, an
 * error of Lambda itself by a non-2xx status (API reference:
 * https://github.com/awsdocs/aws-lambda-developer-guide/blob/4ca3ba617f211804b9ba47b8fe4aa4cd6e13353a/doc_source/API_Invoke.md).
 * Signed here with `@smithy/signature-v4`, as the API client does, so no Lambda SDK client ships.
 */
export function lambdaInvoker(options: LambdaInvokerOptions): (payload: string, signal: AbortSignal) => Promise<string> {
    const endpoint = new URL(options.endpoint ?? `https://lambda.${options.region}.amazonaws.com`);
    const signer = new SignatureV4({ service: "lambda", region: options.region, credentials: options.credentials, sha256: Hash.bind(null, "sha256") });
    const path = `${endpoint.pathname.replace(/\/$/, "")}/2015-03-31/functions/${encodeURIComponent(options.functionName)}/invocations`;
    return async (payload, signal) => {
        const signed = await signer.sign(
            new HttpRequest({
                method: "POST",
                protocol: endpoint.protocol,
                hostname: endpoint.hostname,
                port: endpoint.port ? Number(endpoint.port) : undefined,
                path,
                headers: { host: endpoint.host, "content-type": "application/json", "x-amz-invocation-type": "RequestResponse" },
                body: payload,
            }),
        );
        const headers = { ...signed.headers };
        delete headers.host;
        const response = await fetch(new URL(`${endpoint.origin}${path}`), {
            method: "POST",
            headers,
            body: payload,
            signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        const text = await response.text();
        if (!response.ok) {
            // Lambda's own errors: `x-amzn-ErrorType: <Name>:<uri>`, and a JSON body with a message.
            const name = (response.headers.get("x-amzn-errortype") ?? "").split(":")[0] || `Lambda${response.status}`;
            let message = text.slice(0, 300);
            try {
                const body = JSON.parse(text) as { message?: string; Message?: string };
                message = body.message ?? body.Message ?? message;
            } catch {
                // not JSON: the text as it came
            }
            throw new SmokeUsersError(name, message, response.status);
        }
        const functionError = response.headers.get("x-amz-function-error");
        if (functionError) {
            throw new SmokeUsersError("SmokeUsersFunctionError", `the broker failed (${functionError}): ${text.slice(0, 300)}`);
        }
        return text;
    };
}
