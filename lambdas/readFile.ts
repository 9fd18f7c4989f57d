import { FetchError } from "aws-jwt-verify/error";

import { withBackoff } from "./backoff";
import { ID_TOKEN_HEADER, USER_FILE_NAME } from "./contract";
import { classifyAwsError, errorResponse, header, HttpEvent, HttpResponse, jsonResponse, RETRY_AFTER_SECONDS } from "./http";
import { CognitoIdentitySender, createIdentityExchange, TemporaryCredentials, VerifiedClaims } from "./identityCredentials";
import { S3Reader } from "./s3Reader";

/** Verifies an IdToken (signature, issuer, client id, token use, expiry) and returns its claims. */
export interface IdTokenVerifier {
    verify(token: string): Promise<VerifiedClaims>;
}

export interface ReadFileSettings {
    readonly identityPoolId: string;
    /** `cognito-idp.<region>.amazonaws.com/<poolId>` */
    readonly providerName: string;
    readonly bucket: string;
    readonly prefix: string;
    /** @default "data.txt" */
    readonly fileName?: string;
    /** Largest file returned, in bytes; Lambda responses are capped at 6 MB. @default 1 MiB */
    readonly maxBytes?: number;
    /** Users whose identity id, and tokens whose credentials, a warm container remembers. @default 1000 */
    readonly cacheEntries?: number;
    /**
     * Longest time a container reuses the credentials issued for one token before asking the
     * identity pool again, which refuses tokens of users signed out globally or deleted.
     * @default 5 minutes
     */
    readonly revalidateAfterMs?: number;
    /**
     * Attempts of a step (the Cognito exchange, the S3 read) that AWS throttles, the first
     * included; the waits between them are jittered and grow exponentially. @default 3
     */
    readonly throttledAttempts?: number;
    /**
     * Longest time a request spends before its answer, retries included: a retry whose wait
     * would end past it (or past the Lambda invocation's remaining time less a second to
     * answer) is not made, and the request answers 503 with Retry-After. @default 3000
     */
    readonly retryBudgetMs?: number;
}

/** What the handler reads of Lambda's context object: how long the invocation has left. */
export interface InvocationContext {
    getRemainingTimeInMillis?(): number;
}

export interface ReadFileDeps {
    readonly verifier: IdTokenVerifier;
    readonly identity: CognitoIdentitySender;
    /** Builds an S3 reader signing with the given (the user's own) credentials. */
    readonly s3For: (credentials: TemporaryCredentials) => S3Reader;
    /** @default Date.now */
    readonly now?: () => number;
    /** One structured line per request; never receives a token. @default console.log of JSON */
    readonly log?: (entry: Record<string, unknown>) => void;
    /** Waits between retries of a throttled step. @default setTimeout */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Draws the jitter of each wait. @default Math.random */
    readonly random?: () => number;
}

/** The first retry of a throttled step waits up to this long, each later one up to twice as long, at most `THROTTLE_CAP_MS`. */
const THROTTLE_BASE_MS = 50;
const THROTTLE_CAP_MS = 1000;
/** Time kept, of the invocation's remaining time, to answer after the last attempt. */
const ANSWER_RESERVE_MS = 1000;

/** IdTokens are three base64url segments; anything longer than this is not one of Cognito's. */
const MAX_TOKEN_LENGTH = 8192;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type Outcome = { response: HttpResponse; reason: string };

/** The settings with their defaults applied and checked. */
function resolveSettings(settings: ReadFileSettings) {
    const resolved = {
        fileName: settings.fileName ?? USER_FILE_NAME,
        maxBytes: settings.maxBytes ?? 1024 * 1024,
        throttledAttempts: settings.throttledAttempts ?? 3,
        retryBudgetMs: settings.retryBudgetMs ?? 3000,
    };
    if (!Number.isInteger(resolved.throttledAttempts) || resolved.throttledAttempts < 1) {
        throw new Error(`throttledAttempts must be a positive integer, got '${settings.throttledAttempts}'`);
    }
    if (!Number.isFinite(resolved.retryBudgetMs) || resolved.retryBudgetMs < 0) {
        throw new Error(`retryBudgetMs must be a non-negative number, got '${settings.retryBudgetMs}'`);
    }
    return resolved;
}

/** The answer to a failed AWS call of `step` ("identity" or "s3"): never a 500 for a client's mistake. */
function awsFailure(error: unknown, requestId: string | undefined, step: string, fileName: string): Outcome {
    const kind = classifyAwsError(error);
    const name = (error as { name?: string } | undefined)?.name ?? "Error";
    const reason = `${step}:${name}`;
    switch (kind) {
        case "throttled":
        case "unavailable":
            return {
                response: errorResponse(503, "temporarily_unavailable", "A dependency is busy; retry shortly.", requestId, {
                    "retry-after": RETRY_AFTER_SECONDS,
                }),
                reason,
            };
        case "not-authorized":
            return { response: errorResponse(401, "invalid_token", "The IdToken was refused by the identity pool.", requestId), reason };
        case "access-denied":
            return { response: errorResponse(403, "access_denied", "Your credentials do not allow this read.", requestId), reason };
        case "not-found":
            return { response: errorResponse(404, "not_found", `No ${fileName} in your folder.`, requestId), reason };
        default:
            if (step === "identity" && name === "InvalidIdentityPoolConfigurationException") {
                return { response: errorResponse(403, "no_role", "Your account is in no group that grants access.", requestId), reason };
            }
            return { response: errorResponse(500, "internal_error", "The request failed; it has been logged.", requestId), reason };
    }
}

/** The idToken header, or the 401 that answers a missing or malformed one (no AWS call is made for it). */
function tokenOf(event: HttpEvent, requestId: string | undefined): { token: string } | Outcome {
    const token = header(event, ID_TOKEN_HEADER)?.trim();
    if (!token) {
        return {
            response: errorResponse(401, "missing_token", "Send your Cognito IdToken in the idToken header.", requestId),
            reason: "missing-token",
        };
    }
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) {
        return {
            response: errorResponse(401, "invalid_token", "The idToken header is not a JWT.", requestId),
            reason: "malformed-token",
        };
    }
    return { token };
}

/** The token's verified claims, or the answer to a token that fails verification (503 when the keys cannot be fetched). */
async function claimsOf(verifier: IdTokenVerifier, token: string, requestId: string | undefined): Promise<{ claims: VerifiedClaims } | Outcome> {
    try {
        return { claims: await verifier.verify(token) };
    } catch (error) {
        if (error instanceof FetchError) {
            return {
                response: errorResponse(503, "temporarily_unavailable", "Token keys are unavailable; retry shortly.", requestId, {
                    "retry-after": RETRY_AFTER_SECONDS,
                }),
                reason: "jwks-unavailable",
            };
        }
        return {
            response: errorResponse(401, "invalid_token", "The IdToken is not valid for this API.", requestId),
            reason: `token:${(error as Error).name}`,
        };
    }
}

/** The caller's own file, or 413 when it is larger than `maxBytes`. */
async function readOwnFile(s3: S3Reader, bucket: string, key: string, limits: { maxBytes: number; fileName: string }, requestId: string | undefined): Promise<Outcome> {
    const object = await s3.getObject(bucket, key, limits.maxBytes);
    if (object.tooLarge) {
        return {
            response: errorResponse(413, "file_too_large", `${limits.fileName} is larger than ${limits.maxBytes} bytes.`, requestId),
            reason: "too-large",
        };
    }
    return { response: jsonResponse(200, { status: "success", data: object.text }), reason: "ok" };
}

/**
 * S3 answers AccessDenied, not NoSuchKey, for a missing key when the caller may not list
 * it; the caller may list its own folder, so one listing tells "absent" from "refused".
 */
async function absentOrDenied(s3: S3Reader, bucket: string, key: string, fileName: string, requestId: string | undefined): Promise<Outcome> {
    try {
        if ((await s3.countKeys(bucket, key)) === 0) {
            return awsFailure({ name: "NoSuchKey" }, requestId, "s3", fileName);
        }
    } catch (error) {
        return awsFailure(error, requestId, "s3", fileName);
    }
    return awsFailure({ name: "AccessDenied" }, requestId, "s3", fileName);
}

/**
 * A throttled step is tried again (quota throttling answers at once, so a wait is what
 * helps); a timeout or a failed connection is not, beyond the transport's own second attempt.
 */
const throttled = (error: unknown) => classifyAwsError(error) === "throttled";

/**
 * `GET /read-file`: exchanges the caller's IdToken (header `idToken`) for identity-pool
 * credentials and reads `<prefix>/<identityId>/<fileName>` with those credentials, so IAM
 * decides what the user may read. The token is verified before any AWS call is made.
 */
export function createReadFileHandler(settings: ReadFileSettings, deps: ReadFileDeps) {
    const { fileName, maxBytes, throttledAttempts, retryBudgetMs } = resolveSettings(settings);
    const now = deps.now ?? Date.now;
    const log = deps.log ?? ((entry: Record<string, unknown>) => console.log(JSON.stringify(entry)));
    const exchange = createIdentityExchange(
        {
            identity: deps.identity,
            identityPoolId: settings.identityPoolId,
            providerName: settings.providerName,
            cacheEntries: settings.cacheEntries ?? 1000,
            refreshMarginMs: 5 * 60 * 1000,
            revalidateAfterMs: settings.revalidateAfterMs ?? 5 * 60 * 1000,
            now,
        },
        deps.s3For,
    );
    const failure = (error: unknown, requestId: string | undefined, step: string) => awsFailure(error, requestId, step, fileName);

    async function serve(event: HttpEvent, deadline: number, retries: { count: number }): Promise<Outcome & { identityId?: string }> {
        const backoff = {
            maxAttempts: throttledAttempts,
            baseMs: THROTTLE_BASE_MS,
            capMs: THROTTLE_CAP_MS,
            deadline,
            sleep: deps.sleep,
            random: deps.random,
            now,
        };
        const patiently = <T>(step: () => Promise<T>) =>
            withBackoff(
                (attempt) => {
                    if (attempt > 1) retries.count++;
                    return step();
                },
                throttled,
                backoff,
            );
        const requestId = event.requestContext?.requestId;
        const presented = tokenOf(event, requestId);
        if (!("token" in presented)) return presented;
        const { token } = presented;
        const verified = await claimsOf(deps.verifier, token, requestId);
        if (!("claims" in verified)) return verified;
        const { claims } = verified;

        for (let attempt = 0; ; attempt++) {
            let session;
            try {
                session = await patiently(() => exchange.sessionFor(claims, token));
            } catch (error) {
                return failure(error, requestId, "identity");
            }
            const key = `${settings.prefix}/${session.identityId}/${fileName}`;
            try {
                const client = session.client;
                return { ...(await patiently(() => readOwnFile(client, settings.bucket, key, { maxBytes, fileName }, requestId))), identityId: session.identityId };
            } catch (error) {
                const kind = classifyAwsError(error);
                if (kind === "expired-credentials" && attempt === 0) {
                    exchange.forgetCredentials(token);
                    continue;
                }
                const outcome = kind === "access-denied" ? await absentOrDenied(session.client, settings.bucket, key, fileName, requestId) : failure(error, requestId, "s3");
                return { ...outcome, identityId: session.identityId };
            }
        }
    }

    return async function handler(event: HttpEvent, context?: InvocationContext): Promise<HttpResponse> {
        const started = now();
        const remaining = context?.getRemainingTimeInMillis?.();
        const deadline = started + Math.min(retryBudgetMs, remaining === undefined ? Infinity : remaining - ANSWER_RESERVE_MS);
        const retries = { count: 0 };
        let outcome: Outcome & { identityId?: string };
        try {
            outcome = await serve(event, deadline, retries);
        } catch (error) {
            outcome = {
                response: errorResponse(500, "internal_error", "The request failed; it has been logged.", event.requestContext?.requestId),
                reason: `unexpected:${(error as Error)?.name}`,
            };
        }
        log({
            route: "GET /read-file",
            requestId: event.requestContext?.requestId,
            status: outcome.response.statusCode,
            reason: outcome.reason,
            identityId: outcome.identityId,
            ...(retries.count > 0 ? { retries: retries.count } : {}),
            ms: now() - started,
        });
        return outcome.response;
    };
}
