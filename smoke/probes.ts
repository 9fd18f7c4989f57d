/**
 * The probes the smoke checks are made of: a request to the API that must succeed or be refused,
 * an AWS call that must be denied, and who holds a set of credentials. A refusal counts only as
 * an authorization decision about credentials shown to work (see `errors.ts`); a call that
 * expects success waits out the errors of a deployment still settling (see `steps.ts`).
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { ApiCallError } from "../client/apiClient";
import { routePath, ROUTES } from "../lambdas/contract";
import type { Context } from "./context";
import { describeError, isAuthorizationDenial, whyNotADenial } from "./errors";
import { StepFailure } from "./steps";

/** A check's own verdict, as opposed to a step that failed on its way. */
export class CheckFailure extends StepFailure {}

export function fail(message: string): never {
    throw new CheckFailure(message);
}

export const asCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined, what: string): AwsCredentialIdentity =>
    c?.AccessKeyId && c.SecretAccessKey ? { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } : fail(`${what} returned no credentials`);

/** API Gateway answers these while a fresh deployment settles: invoke rights not yet in effect, the function not yet invocable. */
function settlingApi(error: unknown): string | undefined {
    if (!(error instanceof ApiCallError)) return undefined;
    if (error.refusal === "not-authorized") return "403 (invoke right not yet in effect)";
    if ([500, 502, 503, 504].includes(error.status)) return `${error.status}`;
    return undefined;
}

export interface ApiAnswer {
    readonly status: number;
    readonly body: unknown;
    readonly error: ApiCallError | undefined;
    /** Why the step gave up, when it retried a settling deployment to the end. */
    readonly note: string | undefined;
}

/** A signed GET of the API with `credentials`; an error answer is returned, not thrown. */
export async function api(ctx: Context, credentials: AwsCredentialIdentity, path: string, expect: "success" | "refusal", headers: Record<string, string> = {}): Promise<ApiAnswer> {
    try {
        const response = await ctx.steps.run(
            `GET ${path}`,
            (signal) => ctx.clients.apiFor(credentials).call<Record<string, unknown>>({ path, headers, signal }),
            { idempotent: true, settling: expect === "success" ? settlingApi : undefined },
        );
        return { status: response.status, body: response.body as unknown, error: undefined, note: undefined };
    } catch (error) {
        if (error instanceof ApiCallError) return { status: error.status, body: error.body, error, note: undefined };
        if (error instanceof StepFailure && error.cause instanceof ApiCallError) {
            return { status: error.cause.status, body: error.cause.body, error: error.cause, note: error.message };
        }
        throw error;
    }
}

/**
 * A request the API must refuse as an authorization decision, not as unsigned or mis-signed.
 * `orHandler`: the function's own refusal counts too (it guards the route a second time).
 */
export async function expectApiRefusal(
    ctx: Context,
    who: string,
    credentials: AwsCredentialIdentity,
    path: string,
    orHandler: boolean,
    headers: Record<string, string> = {},
): Promise<string> {
    const got = await api(ctx, credentials, path, "refusal", headers);
    if (got.status !== 403) fail(`${who} on ${path}: expected 403, got ${got.status} ${JSON.stringify(got.body)}`);
    const refusal = got.error?.refusal;
    if (refusal === "not-authorized") return "403 (IAM)";
    if (refusal === "refused-by-handler" && orHandler) return `403 (handler: ${(got.body as { error?: string }).error}; IAM let it through)`;
    return fail(`${who} on ${path}: 403 but not ${orHandler ? "an authorization refusal" : "IAM's refusal"} (${refusal}: ${JSON.stringify(got.body)})`);
}

/**
 * An AWS call that must be refused by authorization, of `principal.arn`: named in the denial
 * when `principal.named`, or else not another principal named. Made once, never retried into a pass.
 */
export async function expectDenied(ctx: Context, what: string, work: (signal: AbortSignal) => Promise<unknown>, principal: { arn: string; named: boolean }): Promise<void> {
    try {
        await ctx.steps.run(what, work, { idempotent: true });
    } catch (error) {
        if (isAuthorizationDenial(error, principal.arn, principal.named)) return;
        if (error instanceof StepFailure) throw error;
        fail(`${what}: expected AccessDenied${principal.named ? ` naming ${principal.arn}` : ""}, got ${whyNotADenial(error, principal.arn)}`);
    }
    fail(`${what} was allowed; it must be denied`);
}

/** The ARN of whoever holds `credentials`; also shows they work, so their refusals mean something. */
export async function whoHolds(ctx: Context, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, whose: string): Promise<string> {
    try {
        const who = await ctx.steps.run(`GetCallerIdentity of ${whose}`, (signal) => ctx.clients.stsFor(credentials).send(new GetCallerIdentityCommand({}), { abortSignal: signal }), {
            idempotent: true,
        });
        return who.Arn ?? fail(`GetCallerIdentity of ${whose} returned no ARN`);
    } catch (error) {
        if (error instanceof CheckFailure) throw error;
        return fail(`${whose} credentials do not work (${error instanceof StepFailure ? error.message : describeError(error)}), so a refusal of them proves nothing`);
    }
}

/** `/whoami` must answer 200 naming the session of `roleName`; returns the ARN it named. */
export async function expectWhoami(ctx: Context, credentials: AwsCredentialIdentity, roleName: string, sessionName: string): Promise<string> {
    const who = await api(ctx, credentials, routePath(ROUTES.whoami), "success");
    const userArn = String((who.body as { userArn?: string }).userArn);
    const expected = new RegExp(`^arn:aws[a-z-]*:sts::\\d{12}:assumed-role/${escapeRegExp(roleName)}/${escapeRegExp(sessionName)}$`);
    if (who.status !== 200 || !expected.test(userArn)) {
        fail(`/whoami: expected ${roleName}/${sessionName}, got ${who.status} ${JSON.stringify(who.body)}${who.note ? ` (${who.note})` : ""}`);
    }
    return userArn;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
