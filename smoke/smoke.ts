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
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

import { createUserStorage } from "../client/userStorage";
import { ID_TOKEN_HEADER, routePath, ROUTES, USER_FILE_NAME } from "../lambdas/contract";
import type { Context, SmokeClients } from "./context";
import { describeError, errorName, isAuthorizationDenial } from "./errors";
import { roleNameOf, StackOutputs } from "./outputs";
import { api, asCredentials, expectApiRefusal, expectDenied, expectWhoami, fail, whoHolds } from "./probes";
import { RunRecord } from "./records";
import type { CheckResult, CheckStatus, SmokeReport } from "./report";
import { createStepper, DEFAULT_TIMING, StepFailure, StepTrace, Timing } from "./steps";
import { sweepStale, SweepResult } from "./sweep";
import { createUser, newPassword, newTestUser, ownKey, removeUser, signIn, smokeUsername, TestUser, writeOwnObject } from "./users";

export type { SmokeClients } from "./context";
export type { CheckResult, CheckStatus, SmokeReport } from "./report";
export { parseOutputs, REQUIRED_OUTPUTS } from "./outputs";
export type { StackOutputs } from "./outputs";
export { SMOKE_RECORDS_PREFIX } from "./records";
export type { Timing } from "./steps";
export { SMOKE_USER_PREFIX } from "./users";

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

/** One run: what its checks share, and what they leave for the cleanup and the report. */
interface Run {
    readonly options: SmokeOptions;
    readonly ctx: Context;
    readonly runId: string;
    readonly started: number;
    readonly timing: Timing;
    readonly onRetry: (step: string, attempt: number, reason: string, waitMs: number) => void;
    readonly runSignal: AbortSignal;
    readonly record: RunRecord;
    /** User A (group user), then user B (group admin). */
    readonly users: readonly [TestUser, TestUser];
    readonly results: CheckResult[];
    sweep: SweepResult;
    intentStored: boolean;
    /** Why the set-up failed: every later check is skipped. */
    setupFailed: string | undefined;
}

type CheckBody = (run: Run) => Promise<string | { skip: string }>;

interface Check {
    readonly id: string;
    readonly name: string;
    readonly body: CheckBody;
}

const NEVER = new AbortController().signal;

export async function runSmoke(options: SmokeOptions, clients: SmokeClients): Promise<SmokeReport> {
    const run = startRun(options, clients);
    try {
        for (const check of CHECKS) await runCheck(run, check);
    } finally {
        run.ctx.steps.traceInto([]);
    }
    const cleanup = await cleanUpRun(run);
    const interrupted = run.runSignal.aborted;
    const { results } = run;
    const ok = !interrupted && results.every((r) => r.status !== "fail") && results.find((r) => r.id === "0")?.status === "pass" && cleanup.failed.length === 0;
    return { stage: run.ctx.out.stage, runId: run.runId, ok, checks: results, sweep: run.sweep, cleanup, ms: run.ctx.now() - run.started };
}

function startRun(options: SmokeOptions, clients: SmokeClients): Run {
    const now = options.now ?? Date.now;
    const started = now();
    const runId = options.runId ?? newRunId();
    const timing: Timing = { ...DEFAULT_TIMING, ...options.timing };
    const onRetry = (step: string, attempt: number, reason: string, waitMs: number) =>
        options.onProgress?.(`  waiting for the deployment to settle: ${step} got ${reason} (attempt ${attempt}); retrying in ${waitMs} ms`);
    const runSignal = options.signal ?? NEVER;
    const ctx: Context = { out: options.outputs, clients, steps: createStepper(timing, runSignal, { now, onRetry }), now };
    const record = new RunRecord(ctx, runId);
    const users: [TestUser, TestUser] = [newUser(runId, "user"), newUser(runId, "admin")];
    return {
        options,
        ctx,
        runId,
        started,
        timing,
        onRetry,
        runSignal,
        record,
        users,
        results: [],
        sweep: { removed: [], failed: [], skipped: [], unrecorded: [] },
        intentStored: false,
        setupFailed: undefined,
    };
}

/** Runs one check (or skips it after a failed set-up or an interruption), records its result and tells `onResult`. */
async function runCheck(run: Run, { id, name, body }: Check): Promise<void> {
    const { ctx, options } = run;
    const t = ctx.now();
    const traces: StepTrace[] = [];
    ctx.steps.traceInto(traces);
    let status: CheckStatus;
    let detail: string;
    if (run.setupFailed !== undefined) {
        status = "skip";
        detail = `not run: ${run.setupFailed}`;
    } else if (run.runSignal.aborted) {
        status = "skip";
        detail = "not run: interrupted";
    } else {
        try {
            const outcome = await body(run);
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
    const result: CheckResult = { id, name, status, ms: ctx.now() - t, detail, attempts: traces.reduce((n, s) => n + s.attempts, 0), retried };
    run.results.push(result);
    options.onResult?.(result);
}

/** Check 0: sweeps earlier runs' leftovers, records the intent, creates both users and their files. */
const setUp: CheckBody = async (run) => {
    const { ctx, runId, record, users, options } = run;
    try {
        run.sweep = await sweepStale(ctx, { runId, staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS });
        await record.append({
            kind: "intent",
            version: 1,
            runId,
            stage: ctx.out.stage,
            startedAt: new Date(ctx.now()).toISOString(),
            users: users.map(({ username, group, temporaryPassword, password }) => ({ username, group, temporaryPassword, password })),
        });
        run.intentStored = true;
        for (const user of users) {
            await createUser(ctx, user);
            await signIn(ctx, user, "fresh", record);
            await writeOwnObject(ctx, user, USER_FILE_NAME, contentOf(runId, user), record, true);
        }
    } catch (error) {
        run.setupFailed = `set-up failed (${error instanceof StepFailure ? error.message : errorName(error)})`;
        throw error;
    }
    const { sweep } = run;
    const swept = sweep.removed.length === 0 ? "no leftovers of earlier runs" : `swept ${sweep.removed.length} earlier run(s)`;
    const troubled = sweep.failed.length > 0 ? `; ${sweep.failed.length} leftover(s) could not be removed (see sweep)` : "";
    return `${swept}${troubled}; created ${users.map((u) => u.group).join(" and ")} users`;
};

/** Check 1: user A reads its own file through the API. */
const ownFileThroughApi: CheckBody = async ({ ctx, runId, users: [userA] }) => {
    const got = await api(ctx, userA.credentials!, routePath(ROUTES.readFile), "success", { [ID_TOKEN_HEADER]: userA.idToken! });
    if (got.status !== 200) fail(`expected 200, got ${got.status} ${JSON.stringify(got.body)}${got.note ? ` (${got.note})` : ""}`);
    if ((got.body as { data?: string }).data !== contentOf(runId, userA)) fail(`expected A's content, got ${JSON.stringify(got.body)}`);
    return "200 with A's content";
};

/** Check 2: with A's credentials, S3 denies B's file and the bucket root, and allows A's own folder. */
const ownFolderOnly: CheckBody = async ({ ctx, runId, record, users: [userA, userB] }) => {
    const out = ctx.out;
    const s3 = ctx.clients.s3For(userA.credentials!);
    const bucket = out.userFilesBucket;
    // A wrote its own file with these credentials at set-up: a denial here is about the key.
    const a = { arn: await whoHolds(ctx, userA.credentials!, "user A's"), named: false };
    await expectDenied(ctx, "reading B's file", (signal) => s3.send(new GetObjectCommand({ Bucket: bucket, Key: ownKey(ctx, userB) }), { abortSignal: signal }), a);
    await expectDenied(ctx, "listing the bucket root", (signal) => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "" }), { abortSignal: signal }), a);
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
        identity: ctx.clients.identity,
        s3For: ctx.clients.s3For,
    });
    const viaFloor = await ctx.steps.run("reading own smoke-write.txt through the floor's client", () => floor.read("smoke-write.txt"), { idempotent: true });
    if ((await floor.identityId()) !== userA.identityId) fail(`the floor's client found identity ${await floor.identityId()}, not A's ${userA.identityId}`);
    if (viaFloor !== runId) fail(`the floor's client read ${JSON.stringify(viaFloor)}, not what A wrote`);
    return "B's file denied, root listing denied, own folder listed and written, the write read back through the floor's client";
};

/** Check 3: the API refuses a request that is not signed. */
const unsignedRefused: CheckBody = async ({ ctx, options }) => {
    const status = await ctx.steps.run("unsigned GET /whoami", (signal) => (options.unsignedGet ?? defaultUnsignedGet)(`${ctx.out.apiEndpoint}${routePath(ROUTES.whoami)}`, signal), {
        idempotent: true,
    });
    if (status !== 403 && status !== 401) fail(`expected 403, got ${status}`);
    return `${status}`;
};

/** Check 4: /admin refuses the user role and serves the admin role. */
const adminRouteByGroup: CheckBody = async ({ ctx, users: [userA, userB] }) => {
    // The user role's credentials are shown to work on the API by check 1.
    const asUser = await expectApiRefusal(ctx, "user role", userA.credentials!, routePath(ROUTES.admin), true);
    const asAdmin = await api(ctx, userB.credentials!, routePath(ROUTES.admin), "success");
    if (asAdmin.status !== 200) fail(`admin role: expected 200, got ${asAdmin.status} ${JSON.stringify(asAdmin.body)}${asAdmin.note ? ` (${asAdmin.note})` : ""}`);
    return `user ${asUser}, admin 200`;
};

/** Check 5: the caller account's role assumes the stage role; the other stages' caller cannot. */
const crossAccountCaller: CheckBody = async ({ ctx, options, runId }) => {
    if (!options.caller) {
        if (options.requireCaller) fail("no caller credentials given, and the cross-account check is required (--require-caller)");
        return { skip: "no caller credentials given (--caller-profile or --caller-role-arn)" };
    }
    const out = ctx.out;
    const sessionName = `smoke-${runId}`.slice(0, 64);
    const assumed = await ctx.steps.run(
        "AssumeRole of the stage role",
        (signal) =>
            ctx.clients.stsFor(options.caller).send(
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
    await expectWhoami(ctx, stageCredentials, roleName, sessionName);
    if (!options.otherCaller) {
        return `assumed and identified as ${roleName}; other stages' caller not given, not checked`;
    }
    // Only credentials shown to work can show a refusal: a caller that cannot sign in is refused by everything.
    const otherArn = await whoHolds(ctx, options.otherCaller, "the other stages' caller");
    await expectDenied(
        ctx,
        "AssumeRole by the other stages' caller role",
        (signal) =>
            ctx.clients.stsFor(options.otherCaller).send(
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
};

/** Check 6: an IdToken assumes the OIDC role, which reaches neither user files nor /read-file. */
const oidcRoleConfined: CheckBody = async ({ ctx, runId, users: [userA] }) => {
    const out = ctx.out;
    const sessionName = `smoke-${runId}`.slice(0, 64);
    const assumed = await ctx.steps.run(
        "AssumeRoleWithWebIdentity",
        (signal) =>
            ctx.clients
                .stsFor()
                .send(new AssumeRoleWithWebIdentityCommand({ RoleArn: out.oidcRoleArn, RoleSessionName: sessionName, WebIdentityToken: userA.idToken, DurationSeconds: 900 }), {
                    abortSignal: signal,
                }),
        {
            idempotent: true,
            // A new OIDC provider is unknown to STS for a while, a new role's trust not yet honoured.
            settling: (e) => (["InvalidIdentityToken", "IDPCommunicationError"].includes(errorName(e)) || isAuthorizationDenial(e) ? errorName(e) : undefined),
        },
    );
    const oidc = asCredentials(assumed.Credentials, "AssumeRoleWithWebIdentity");
    const roleName = roleNameOf(out.oidcRoleArn);
    const sessionArn = await expectWhoami(ctx, oidc, roleName, sessionName);
    const s3 = ctx.clients.s3For(oidc);
    await expectDenied(
        ctx,
        "reading A's data.txt with the OIDC role",
        (signal) => s3.send(new GetObjectCommand({ Bucket: out.userFilesBucket, Key: ownKey(ctx, userA) }), { abortSignal: signal }),
        { arn: sessionArn, named: false },
    );
    const readFile = await expectApiRefusal(ctx, "OIDC role", oidc, routePath(ROUTES.readFile), false, { [ID_TOKEN_HEADER]: userA.idToken! });
    return `/whoami names ${sessionArn}; A's file denied; /read-file ${readFile}`;
};

/** The checks, in the order they run: each later one relies on what the earlier ones showed. */
const CHECKS: readonly Check[] = [
    { id: "0", name: "set up: leftovers of earlier runs swept, two temporary users (user, admin) with their files", body: setUp },
    { id: "1", name: "user A's GET /read-file returns A's own file", body: ownFileThroughApi },
    { id: "2", name: "with A's credentials: B's file and the bucket root denied, own folder lists and writes; the floor's client reads the write back", body: ownFolderOnly },
    { id: "3", name: "an unsigned request to the API is refused", body: unsignedRefused },
    { id: "4", name: "the user role gets 403 on /admin, the admin role 200", body: adminRouteByGroup },
    { id: "5", name: "the caller account's role assumes this stage's role; /whoami names it; the other stages' caller is refused", body: crossAccountCaller },
    { id: "6", name: "an IdToken assumes the OIDC role: /whoami names it; A's file and /read-file are refused", body: oidcRoleConfined },
];

/** Removes what the run created, within its own time limit: it is not bound to the run's signal, since after an interruption it is the one thing left to do. */
async function cleanUpRun(run: Run): Promise<SmokeReport["cleanup"]> {
    const { options, ctx } = run;
    const cleanupTraces: StepTrace[] = [];
    const cleanupLimit = AbortSignal.timeout(options.cleanupTimeoutMs ?? 120_000);
    const cleanupSignal = options.cleanupSignal ? AbortSignal.any([options.cleanupSignal, cleanupLimit]) : cleanupLimit;
    const cleanupCtx: Context = { ...ctx, steps: createStepper(run.timing, cleanupSignal, { now: ctx.now, onRetry: run.onRetry }) };
    cleanupCtx.steps.traceInto(cleanupTraces);
    const cleanup = await cleanUp(cleanupCtx, [...run.users], run.intentStored ? run.record.through(cleanupCtx) : undefined);
    return { ...cleanup, attempts: cleanupTraces.reduce((n, s) => n + s.attempts, 0) };
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

async function defaultUnsignedGet(url: string, signal: AbortSignal): Promise<number> {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    return response.status;
}

export { formatReport, formatResult } from "./report";
