/**
 * What an AWS error means for the smoke checks. A check that expects a refusal must tell an
 * authorization decision ("IAM said no to this principal") from everything else that also
 * answers 403 or fails: a request AWS could not authenticate, credentials that never worked,
 * a throttle. Only the first counts as the refusal the check is about.
 */

export const errorName = (error: unknown): string => (error as { name?: string })?.name ?? "Error";

export const errorMessage = (error: unknown): string => String((error as { message?: unknown })?.message ?? error);

export const httpStatusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** `Name: message`, one line, for reports. */
export function describeError(error: unknown): string {
    const message = errorMessage(error).split("\n")[0].slice(0, 300);
    return `${errorName(error)}: ${message}`;
}

/**
 * Error names AWS services give when the caller was authenticated and an authorization
 * policy refused the action: `AccessDenied` (S3, STS), `AccessDeniedException` (Cognito and
 * the JSON services).
 */
const AUTHORIZATION_DENIALS = new Set(["AccessDenied", "AccessDeniedException"]);

/**
 * Errors that also come with 403 but mean the request was never authorized at all: unknown,
 * malformed, expired or mis-signed credentials. Named here so a report can say why a 403 was
 * not taken as the refusal a check expects.
 */
const AUTHENTICATION_FAILURES = new Set([
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidToken",
    "TokenRefreshRequired",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "RequestExpired",
    "RequestTimeTooSkewed",
    "CredentialsProviderError",
]);

export function isAuthenticationFailure(error: unknown): boolean {
    return AUTHENTICATION_FAILURES.has(errorName(error));
}

/**
 * True when `error` is an authorization denial and, when `principalArn` is given, its message
 * names that principal. Where the service names the caller in a denial (STS does: "User: <arn>
 * is not authorized to perform: sts:AssumeRole …"), requiring the name proves the denial is
 * about the credentials the check holds and not about some other identity the SDK picked up.
 */
export function isAuthorizationDenial(error: unknown, principalArn?: string, mustName = true): boolean {
    if (!AUTHORIZATION_DENIALS.has(errorName(error))) {
        return false;
    }
    const status = httpStatusOf(error);
    if (status !== undefined && status !== 403 && status !== 400) {
        return false;
    }
    if (principalArn === undefined) {
        return true;
    }
    const named = namedPrincipal(error);
    return named === undefined ? !mustName : named === principalArn;
}

/**
 * The principal a denial names (`User: <arn> is not authorized …`), if it names one. Not every
 * service or message does: S3's may be a bare "Access Denied".
 */
export function namedPrincipal(error: unknown): string | undefined {
    return /\bUser: (arn:[^\s]+) is not authorized/.exec(errorMessage(error))?.[1];
}

/** Why an error is not the denial a check expected, for its detail. */
export function whyNotADenial(error: unknown, principalArn?: string): string {
    if (isAuthenticationFailure(error)) {
        return `${describeError(error)} (AWS could not authenticate the request: that is not an authorization decision)`;
    }
    if (AUTHORIZATION_DENIALS.has(errorName(error)) && principalArn !== undefined) {
        const named = namedPrincipal(error);
        return `${describeError(error)} (a denial ${named ? `of ${named}, not of` : "that does not name"} ${principalArn})`;
    }
    return describeError(error);
}

/** The request never got an answer: it may or may not have taken effect. */
export function isOutcomeUnknown(error: unknown): boolean {
    const name = errorName(error);
    const code = (error as { code?: string })?.code;
    return (
        name === "TimeoutError" ||
        name === "AbortError" ||
        ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "UND_ERR_SOCKET"].includes(code ?? "") ||
        /socket hang up/i.test(errorMessage(error))
    );
}

/** Names of "it is not there" for the delete paths: absence means removed. */
export const isUserNotFound = (error: unknown) => errorName(error) === "UserNotFoundException";
export const isNoSuchKey = (error: unknown) => ["NoSuchKey", "NotFound"].includes(errorName(error));
export const isPreconditionFailed = (error: unknown) =>
    ["PreconditionFailed", "ConditionalRequestConflict"].includes(errorName(error)) || [412, 409].includes(httpStatusOf(error) ?? 0);
export const isNotAuthorized = (error: unknown) => errorName(error) === "NotAuthorizedException";
