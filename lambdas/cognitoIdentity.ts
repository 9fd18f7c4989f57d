/**
 * The two Cognito Identity calls of the read-file handler, GetId and GetCredentialsForIdentity,
 * as the AWS JSON 1.1 POSTs they are on the wire: unsigned (the IdToken in `Logins` is the
 * caller's proof, and the SDK sends them unsigned too), to `cognito-identity.<region>.amazonaws.com`.
 * Not the SDK's Cognito Identity client, whose code was most of what the handler's bundle still
 * loaded at a cold start.
 *
 * Failures are thrown as the SDK throws them, so `classifyAwsError` reads them alike: `name` is
 * the error type (`x-amzn-errortype`, or `__type`/`code` of the JSON body, namespace dropped),
 * `$metadata.httpStatusCode` the status and `$fault` "server" for a 5xx.
 */
import { HttpRequest } from "@smithy/protocol-http";

import { AwsServiceError, ConnectionOptions, exchange, withRetries } from "./awsHttp";
import { CognitoIdentitySender, GetCredentialsForIdentityOutput } from "./identityCredentials";

export interface CognitoIdentityOptions extends ConnectionOptions {
    readonly region: string;
    /** An endpoint in place of Cognito Identity's (`AWS_ENDPOINT_URL_COGNITO_IDENTITY`, as the SDK reads it). */
    readonly endpoint?: string;
}

/** An error Cognito Identity answered with, shaped as the SDK's service exceptions for `classifyAwsError`. */
export class CognitoIdentityError extends AwsServiceError {
    constructor(type: string, status: number) {
        super("Cognito Identity", type, status);
    }
}

/** The answers to these calls are well under this; anything longer is not Cognito's. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** `com.amazonaws.cognito.identity.model#NotAuthorizedException:http://…` → `NotAuthorizedException`. */
function typeName(raw: unknown): string | undefined {
    if (typeof raw !== "string") return undefined;
    const name = raw.split(":")[0].split("#").pop() ?? "";
    return /^[A-Za-z0-9]{1,100}$/.test(name) ? name : undefined;
}

function transient(error: unknown): boolean {
    if (error instanceof CognitoIdentityError) {
        return error.$fault === "server" || error.$metadata.httpStatusCode === 429 || error.name === "TooManyRequestsException";
    }
    return true;
}

export function createCognitoIdentitySender(options: CognitoIdentityOptions): CognitoIdentitySender {
    const url = new URL(options.endpoint ?? `https://cognito-identity.${options.region}.amazonaws.com`);
    const maxAttempts = options.maxAttempts ?? 2;

    async function attempt(operation: string, input: object): Promise<unknown> {
        const body = JSON.stringify(input);
        const answer = await exchange({
            request: new HttpRequest({
                protocol: url.protocol,
                hostname: url.hostname,
                port: url.port ? Number(url.port) : undefined,
                method: "POST",
                path: url.pathname || "/",
                headers: {
                    "content-type": "application/x-amz-json-1.1",
                    "x-amz-target": `AWSCognitoIdentityService.${operation}`,
                    "content-length": String(Buffer.byteLength(body)),
                },
                body,
            }),
            limit: MAX_ANSWER_BYTES,
            connectionTimeoutMs: options.connectionTimeoutMs ?? 1000,
            requestTimeoutMs: options.requestTimeoutMs ?? 3000,
        });
        let parsed: Record<string, unknown> = {};
        try {
            parsed = answer.tooLarge ? {} : (JSON.parse(answer.body.toString("utf8") || "{}") as Record<string, unknown>);
        } catch {
            // Not JSON: named by the status below.
        }
        if (answer.status === 200 && !answer.tooLarge) {
            return parsed;
        }
        const type = typeName(answer.headers["x-amzn-errortype"]) ?? typeName(parsed.__type) ?? typeName(parsed.code) ?? (answer.status >= 500 ? "InternalErrorException" : `Http${answer.status}`);
        throw new CognitoIdentityError(type, answer.status);
    }

    const call = (operation: string, input: object): Promise<unknown> => withRetries(() => attempt(operation, input), maxAttempts, transient);

    return {
        async getId(input) {
            const { IdentityId } = (await call("GetId", input)) as { IdentityId?: unknown };
            return { IdentityId: typeof IdentityId === "string" ? IdentityId : undefined };
        },
        async getCredentialsForIdentity(input) {
            const { Credentials: c } = (await call("GetCredentialsForIdentity", input)) as { Credentials?: Record<string, unknown> };
            const text = (value: unknown) => (typeof value === "string" ? value : undefined);
            const credentials: GetCredentialsForIdentityOutput["Credentials"] = c && {
                AccessKeyId: text(c.AccessKeyId),
                SecretKey: text(c.SecretKey),
                SessionToken: text(c.SessionToken),
                // Epoch seconds on the wire, as the SDK reads them.
                Expiration: typeof c.Expiration === "number" ? new Date(c.Expiration * 1000) : undefined,
            };
            return { Credentials: credentials };
        },
    };
}
