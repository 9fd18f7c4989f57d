/**
 * Post-deploy smoke checks: prove, against a deployed stage, what the design promises.
 * Creates two temporary users (one per group) and their files, checks, and always removes
 * what it created. The AWS clients come in through `SmokeClients`, so tests drive the same
 * logic against fakes.
 *
 * Everything runs within the smoke role's rights: the temporary users of the run, through the
 * stage's smoke-users broker, and the run records; every object in a user's folder is written, read and
 * deleted with that user's own credentials. Every step is bounded and cancelled at its time
 * limit; steps that expect success wait out the errors of a deployment still settling, steps
 * that expect a refusal never retry it (see `steps.ts`). A refusal counts only as an
 * authorization decision about credentials shown to work (see `errors.ts`).
 */
import { randomBytes } from "crypto";

import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { ApiCallError } from "../client/apiClient";
import { createUserStorage } from "../client/userStorage";
import type { Context, SmokeClients } from "./context";
import { describeError, errorName, isAuthorizationDenial, whyNotADenial } from "./errors";
import { roleNameOf, StackOutputs } from "./outputs";
import { RunRecord } from "./records";
import { createStepper, DEFAULT_TIMING, StepFailure, StepTrace, Timing } from "./steps";
import { sweepStale, SweepResult } from "./sweep";
import { createUser, newPassword, newTestUser, ownKey, removeUser, signIn, smokeUsername, TestUser, writeOwnObject } from "./users";

export type { SmokeClients } from "./context";
export { parseOutputs, REQUIRED_OUTPUTS } from "./outputs";
export type { StackOutputs } from "./outputs";
export { SMOKE_RECORDS_PREFIX } from "./records";
export type { Timing } from "./steps";
export { SMOKE_USER_PREFIX } from "./users";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
    readonly id: string;
    readonly name: string;
    readonly status: CheckStatus;
    readonly ms: number;
    readonly detail: string;
    /** AWS calls and API requests made by the check, retries included. */
    readonly attempts: number;
    /** Steps that needed more than one attempt, and why. */
    readonly retried: { readonly step: string; readonly attempts: number; readonly on: string[] }[];
}

export interface SmokeReport {
    readonly stage: string;
    readonly runId: string;
    readonly ok: boolean;
    readonly checks: CheckResult[];
    /** Leftovers of earlier runs (never a reason for this run to fail). */
    readonly sweep: SweepResult;
    readonly cleanup: {
        readonly removed: string[];
        readonly failed: string[];
        /** Kept on purpose, recorded for a later run's sweep. */
        readonly deferred: string[];
        /** This run's record, when it is kept. */
        readonly record?: string;
        readonly attempts: number;
    };
    readonly ms: number;
}

export interface SmokeOptions {
    readonly outputs: StackOutputs;
    /** Unique per run: names every user and the record of the run. @default random */
    readonly runId?: string;
    /** Credentials of the caller account's role this stage trusts; without them check 5 is skipped. */
    readonly caller?: AwsCredentialIdentityProvider;
    /** Credentials of the caller role of the other stages, which must be refused. */
    readonly otherCaller?: AwsCredentialIdentityProvider;
    /** Check 5 fails, instead of skipping, without caller credentials. @default false */
    readonly requireCaller?: boolean;
    readonly externalId?: string;
    /** Stops the checks (Ctrl-C, overall timeout): the current check fails, cleanup still runs. */
    readonly signal?: AbortSignal;
    /** Stops the cleanup from outside. @default none */
    readonly cleanupSignal?: AbortSignal;
    /** Time for the cleanup; what is left stays recorded for a later run. @default 120000 */
    readonly cleanupTimeoutMs?: number;
    /** Time limits and retry pacing. */
    readonly timing?: Partial<Timing>;
    /** Records untouched for this long belong to a dead run and are swept. @default 15 minutes */
    readonly staleAfterMs?: number;
    /** Called as each check finishes. */
    readonly onResult?: (result: CheckResult) => void;
    /** Called with a line for each retry while the deployment settles. */
    readonly onProgress?: (line: string) => void;
    readonly now?: () => number;
    /** An unsigned GET of the API (the refusal check). @default fetch */
    readonly unsignedGet?: (url: string, signal: AbortSignal) => Promise<number>;
}

export const DEFAULT_STALE_AFTER_MS = 15 * 60 * 1000;

export function newRunId(now = Date.now()): string {
    return `${now.toString(36)}-${randomBytes(4).toString("hex")}`;
}

class CheckFailure extends StepFailure {}

function fail(message: string): never {
    throw new CheckFailure(message);
}

const NEVER = new AbortController().signal;

const asCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined, what: string): AwsCredentialIdentity =>
    c?.AccessKeyId && c.SecretAccessKey ? { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } : fail(`${what} returned no credentials`);

/** API Gateway answers these while a fresh deployment settles: invoke rights not yet in effect, the function not yet invocable. */
function settlingApi(error: unknown): string | undefined {
    if (!(error instanceof ApiCallError)) return undefined;
    if (error.refusal === "not-authorized") return "403 (invoke right not yet in effect)";
    if ([500, 502, 503, 504].includes(error.status)) return `${error.status}`;
    return undefined;
}

export async function runSmoke(options: SmokeOptions, clients: SmokeClients): Promise<SmokeReport> {
    const now = options.now ?? Date.now;
    const started = now();
    const out = options.outputs;
    const runId = options.runId ?? newRunId();
    const timing: Timing = { ...DEFAULT_TIMING, ...options.timing };
    const onRetry = (step: string, attempt: number, reason: string, waitMs: number) =>
        options.onProgress?.(`  waiting for the deployment to settle: ${step} got ${reason} (attempt ${attempt}); retrying in ${waitMs} ms`);
    const runSignal = options.signal ?? NEVER;
    const ctx: Context = { out, clients, steps: createStepper(timing, runSignal, { now, onRetry }), now };
    const record = new RunRecord(ctx, runId);
    const results: CheckResult[] = [];
    const users = [newUser(runId, "user"), newUser(runId, "admin")];
    const [userA, userB] = users;
    let sweep: SweepResult = { removed: [], failed: [], skipped: [], unrecorded: [] };
    let intentStored = false;

    let setupFailed: string | undefined;
    async function check(id: string, name: string, body: () => Promise<string | { skip: string }>): Promise<void> {
        const t = now();
        const traces: StepTrace[] = [];
        ctx.steps.traceInto(traces);
        let status: CheckStatus;
        let detail: string;
        if (setupFailed !== undefined) {
            status = "skip";
            detail = `not run: ${setupFailed}`;
        } else if (runSignal.aborted) {
            status = "skip";
            detail = "not run: interrupted";
        } else {
            try {
                const outcome = await body();
                status = typeof outcome === "string" ? "pass" : "skip";
                detail = typeof outcome === "string" ? outcome : outcome.skip;
            } catch (error) {
                status = "fail";
                detail = error instanceof StepFailure ? error.message : describeError(error);
            }
        }
        const retried = traces.filter((s) => s.attempts > 1).map((s) => ({ step: s.step, attempts: s.attempts, on: s.retriedOn }));
        if (retried.length > 0) {
            detail += ` [retried: ${retried.map((r) => `${r.step} ${r.attempts} attempts (${[...new Set(r.on)].join(", ")})`).join("; ")}]`;
        }
        const result: CheckResult = { id, name, status, ms: now() - t, detail, attempts: traces.reduce((n, s) => n + s.attempts, 0), retried };
        results.push(result);
        options.onResult?.(result);
    }

    async function api(credentials: AwsCredentialIdentity, path: string, expect: "success" | "refusal", headers: Record<string, string> = {}) {
        try {
            const response = await ctx.steps.run(
                `GET ${path}`,
                (signal) => clients.apiFor(credentials).call<Record<string, unknown>>({ path, headers, signal }),
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
    async function expectApiRefusal(who: string, credentials: AwsCredentialIdentity, path: string, orHandler: boolean, headers: Record<string, string> = {}): Promise<string> {
        const got = await api(credentials, path, "refusal", headers);
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
    async function expectDenied(what: string, work: (signal: AbortSignal) => Promise<unknown>, principal: { arn: string; named: boolean }): Promise<void> {
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
    async function whoHolds(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, whose: string): Promise<string> {
        try {
            const who = await ctx.steps.run(`GetCallerIdentity of ${whose}`, (signal) => clients.stsFor(credentials).send(new GetCallerIdentityCommand({}), { abortSignal: signal }), {
                idempotent: true,
            });
            return who.Arn ?? fail(`GetCallerIdentity of ${whose} returned no ARN`);
        } catch (error) {
            if (error instanceof CheckFailure) throw error;
            return fail(`${whose} credentials do not work (${error instanceof StepFailure ? error.message : describeError(error)}), so a refusal of them proves nothing`);
        }
    }

    try {
        await check("0", "set up: leftovers of earlier runs swept, two temporary users (user, admin) with their files", async () => {
            try {
                sweep = await sweepStale(ctx, { runId, staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS });
                await record.append({
                    kind: "intent",
                    version: 1,
                    runId,
                    stage: out.stage,
                    startedAt: new Date(now()).toISOString(),
                    users: users.map(({ username, group, temporaryPassword, password }) => ({ username, group, temporaryPassword, password })),
                });
                intentStored = true;
                for (const user of users) {
                    await createUser(ctx, user);
                    await signIn(ctx, user, "fresh", record);
                    await writeOwnObject(ctx, user, "data.txt", contentOf(runId, user), record, true);
                }
            } catch (error) {
                setupFailed = `set-up failed (${error instanceof StepFailure ? error.message : errorName(error)})`;
                throw error;
            }
            const swept = sweep.removed.length === 0 ? "no leftovers of earlier runs" : `swept ${sweep.removed.length} earlier run(s)`;
            const troubled = sweep.failed.length > 0 ? `; ${sweep.failed.length} leftover(s) could not be removed (see sweep)` : "";
            return `${swept}${troubled}; created ${users.map((u) => u.group).join(" and ")} users`;
        });

        await check("1", "user A's GET /read-file returns A's own file", async () => {
            const got = await api(userA.credentials!, "/read-file", "success", { idToken: userA.idToken! });
            if (got.status !== 200) fail(`expected 200, got ${got.status} ${JSON.stringify(got.body)}${got.note ? ` (${got.note})` : ""}`);
            if ((got.body as { data?: string }).data !== contentOf(runId, userA)) fail(`expected A's content, got ${JSON.stringify(got.body)}`);
            return "200 with A's content";
        });

        await check("2", "with A's credentials: B's file and the bucket root denied, own folder lists and writes; the floor's client reads the write back", async () => {
            const s3 = clients.s3For(userA.credentials!);
            const bucket = out.userFilesBucket;
            // A wrote its own file with these credentials at set-up: a denial here is about the key.
            const a = { arn: await whoHolds(userA.credentials!, "user A's"), named: false };
            await expectDenied("reading B's file", (signal) => s3.send(new GetObjectCommand({ Bucket: bucket, Key: ownKey(ctx, userB) }), { abortSignal: signal }), a);
            await expectDenied("listing the bucket root", (signal) => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "" }), { abortSignal: signal }), a);
            const own = await ctx.steps.run(
                "listing own folder",
                (signal) => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${out.userFilesPrefix}/${userA.identityId}/` }), { abortSignal: signal }),
                { idempotent: true },
            );
            if (!(own.Contents ?? []).some((o) => o.Key === ownKey(ctx, userA))) fail("own folder listing lacks data.txt");
            await writeOwnObject(ctx, userA, "smoke-write.txt", runId, record, false);
            // The credential floor (client/userStorage.ts): A's own credentials, obtained and held by the client, read S3 directly.
            const floor = createUserStorage({
                region: out.region,
                identityPoolId: out.identityPoolId,
                providerName: out.userPoolProviderName,
                bucket,
                prefix: out.userFilesPrefix,
                idToken: () => userA.idToken!,
                identity: clients.identity,
                s3For: clients.s3For,
            });
            const viaFloor = await ctx.steps.run("reading own smoke-write.txt through the floor's client", () => floor.read("smoke-write.txt"), { idempotent: true });
            if ((await floor.identityId()) !== userA.identityId) fail(`the floor's client found identity ${await floor.identityId()}, not A's ${userA.identityId}`);
            if (viaFloor !== runId) fail(`the floor's client read ${JSON.stringify(viaFloor)}, not what A wrote`);
            return "B's file denied, root listing denied, own folder listed and written, the write read back through the floor's client";
        });

        await check("3", "an unsigned request to the API is refused", async () => {
            const status = await ctx.steps.run("unsigned GET /whoami", (signal) => (options.unsignedGet ?? defaultUnsignedGet)(`${out.apiEndpoint}/whoami`, signal), {
                idempotent: true,
            });
            if (status !== 403 && status !== 401) fail(`expected 403, got ${status}`);
            return `${status}`;
        });

        await check("4", "the user role gets 403 on /admin, the admin role 200", async () => {
            // The user role's credentials are shown to work on the API by check 1.
            const asUser = await expectApiRefusal("user role", userA.credentials!, "/admin", true);
            const asAdmin = await api(userB.credentials!, "/admin", "success");
            if (asAdmin.status !== 200) fail(`admin role: expected 200, got ${asAdmin.status} ${JSON.stringify(asAdmin.body)}${asAdmin.note ? ` (${asAdmin.note})` : ""}`);
            return `user ${asUser}, admin 200`;
        });

        await check("5", "the caller account's role assumes this stage's role; /whoami names it; the other stages' caller is refused", async () => {
            if (!options.caller) {
                if (options.requireCaller) fail("no caller credentials given, and the cross-account check is required (--require-caller)");
                return { skip: "no caller credentials given (--caller-profile or --caller-role-arn)" };
            }
            const sessionName = `smoke-${runId}`.slice(0, 64);
            const assumed = await ctx.steps.run(
                "AssumeRole of the stage role",
                (signal) =>
                    clients.stsFor(options.caller).send(
                        new AssumeRoleCommand({
                            RoleArn: out.stageAccessRoleArn,
                            RoleSessionName: sessionName,
                            DurationSeconds: 900,
                            ...(options.externalId ? { ExternalId: options.externalId } : {}),
                        }),
                        { abortSignal: signal },
                    ),
                // A new role's trust policy takes a while to be honoured.
                { idempotent: true, settling: (e) => (isAuthorizationDenial(e) ? "AccessDenied (trust not yet in effect)" : undefined) },
            );
            const stageCredentials = asCredentials(assumed.Credentials, "AssumeRole");
            const roleName = roleNameOf(out.stageAccessRoleArn);
            await expectWhoami(stageCredentials, roleName, sessionName);
            if (!options.otherCaller) {
                return `assumed and identified as ${roleName}; other stages' caller not given, not checked`;
            }
            // Only credentials shown to work can show a refusal: a caller that cannot sign in is refused by everything.
            const otherArn = await whoHolds(options.otherCaller, "the other stages' caller");
            await expectDenied(
                "AssumeRole by the other stages' caller role",
                (signal) =>
                    clients.stsFor(options.otherCaller).send(
                        new AssumeRoleCommand({
                            RoleArn: out.stageAccessRoleArn,
                            RoleSessionName: `${sessionName}-x`.slice(0, 64),
                            ...(options.externalId ? { ExternalId: options.externalId } : {}),
                        }),
                        { abortSignal: signal },
                    ),
                // STS names the caller in its denials.
                { arn: otherArn, named: true },
            );
            return `assumed and identified as ${roleName}; the other stages' caller (${otherArn}) refused`;
        });

        await check("6", "an IdToken assumes the OIDC role: /whoami names it; A's file and /read-file are refused", async () => {
            const sessionName = `smoke-${runId}`.slice(0, 64);
            const assumed = await ctx.steps.run(
                "AssumeRoleWithWebIdentity",
                (signal) =>
                    clients.stsFor().send(
                        new AssumeRoleWithWebIdentityCommand({ RoleArn: out.oidcRoleArn, RoleSessionName: sessionName, WebIdentityToken: userA.idToken, DurationSeconds: 900 }),
                        { abortSignal: signal },
                    ),
                {
                    idempotent: true,
                    // A new OIDC provider is unknown to STS for a while, a new role's trust not yet honoured.
                    settling: (e) => (["InvalidIdentityToken", "IDPCommunicationError"].includes(errorName(e)) || isAuthorizationDenial(e) ? errorName(e) : undefined),
                },
            );
            const oidc = asCredentials(assumed.Credentials, "AssumeRoleWithWebIdentity");
            const roleName = roleNameOf(out.oidcRoleArn);
            const sessionArn = await expectWhoami(oidc, roleName, sessionName);
            const s3 = clients.s3For(oidc);
            await expectDenied(
                "reading A's data.txt with the OIDC role",
                (signal) => s3.send(new GetObjectCommand({ Bucket: out.userFilesBucket, Key: ownKey(ctx, userA) }), { abortSignal: signal }),
                { arn: sessionArn, named: false },
            );
            const readFile = await expectApiRefusal("OIDC role", oidc, "/read-file", false, { idToken: userA.idToken! });
            return `/whoami names ${sessionArn}; A's file denied; /read-file ${readFile}`;
        });
    } finally {
        ctx.steps.traceInto([]);
    }

    /** `/whoami` must answer 200 naming the session of `roleName`; returns the ARN it named. */
    async function expectWhoami(credentials: AwsCredentialIdentity, roleName: string, sessionName: string): Promise<string> {
        const who = await api(credentials, "/whoami", "success");
        const userArn = String((who.body as { userArn?: string }).userArn);
        const expected = new RegExp(`^arn:aws[a-z-]*:sts::\\d{12}:assumed-role/${escapeRegExp(roleName)}/${escapeRegExp(sessionName)}$`);
        if (who.status !== 200 || !expected.test(userArn)) {
            fail(`/whoami: expected ${roleName}/${sessionName}, got ${who.status} ${JSON.stringify(who.body)}${who.note ? ` (${who.note})` : ""}`);
        }
        return userArn;
    }

    // Cleanup is not bound to the run's signal: after an interruption it is the one thing left to do.
    const cleanupTraces: StepTrace[] = [];
    const cleanupLimit = AbortSignal.timeout(options.cleanupTimeoutMs ?? 120_000);
    const cleanupSignal = options.cleanupSignal ? AbortSignal.any([options.cleanupSignal, cleanupLimit]) : cleanupLimit;
    const cleanupCtx: Context = { ...ctx, steps: createStepper(timing, cleanupSignal, { now, onRetry }) };
    cleanupCtx.steps.traceInto(cleanupTraces);
    const cleanup = await cleanUp(cleanupCtx, users, intentStored ? record.through(cleanupCtx) : undefined);
    const interrupted = runSignal.aborted;
    const ok = !interrupted && results.every((r) => r.status !== "fail") && results.find((r) => r.id === "0")?.status === "pass" && cleanup.failed.length === 0;
    return {
        stage: out.stage,
        runId,
        ok,
        checks: results,
        sweep,
        cleanup: { ...cleanup, attempts: cleanupTraces.reduce((n, s) => n + s.attempts, 0) },
        ms: now() - started,
    };
}

async function cleanUp(ctx: Context, users: TestUser[], record: RunRecord | undefined): Promise<{ removed: string[]; failed: string[]; deferred: string[]; record?: string }> {
    const removed: string[] = [];
    const failed: string[] = [];
    const deferred: string[] = [];
    for (const user of [...users].reverse()) {
        if (ctx.steps.signal.aborted) {
            failed.push(`${user.username}: cleanup stopped before it; recorded for a later run's sweep`);
            continue;
        }
        const removal = await removeUser(ctx, user, true);
        removed.push(...removal.removed);
        if (removal.status === "failed") failed.push(removal.detail);
        if (removal.status === "deferred") deferred.push(removal.detail);
    }
    if (!record) {
        return { removed, failed, deferred };
    }
    if (failed.length > 0 || deferred.length > 0) {
        try {
            await record.append({ kind: "note", by: record.runId, at: new Date(ctx.now()).toISOString(), notes: [...failed, ...deferred] });
        } catch {
            // The record as written still names everything; the note only explains.
        }
        return { removed, failed, deferred, record: record.folder };
    }
    try {
        await record.remove();
        removed.push(`record ${record.folder}`);
        return { removed, failed, deferred };
    } catch (error) {
        failed.push(`record ${record.folder}: ${error instanceof StepFailure ? error.message : describeError(error)}`);
        return { removed, failed, deferred, record: record.folder };
    }
}

function newUser(runId: string, group: "user" | "admin"): TestUser {
    let password = newPassword();
    const temporaryPassword = newPassword();
    while (password === temporaryPassword) password = newPassword();
    return newTestUser({ username: smokeUsername(runId, group), group, temporaryPassword, password });
}

const contentOf = (runId: string, user: TestUser) => `smoke ${runId} ${user.group}`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function defaultUnsignedGet(url: string, signal: AbortSignal): Promise<number> {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    return response.status;
}

export { formatReport, formatResult } from "./report";
