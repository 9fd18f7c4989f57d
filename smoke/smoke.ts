/**
 * Post-deploy smoke checks: prove, against a deployed stage, what the design promises.
 * Creates two temporary users (one per group) and their files, checks, and always removes
 * what it created. The AWS clients come in through `SmokeClients`, so tests drive the same
 * logic against fakes.
 */
import { randomBytes } from "crypto";

import {
    AdminAddUserToGroupCommand,
    AdminCreateUserCommand,
    AdminDeleteUserCommand,
    AdminInitiateAuthCommand,
    AdminSetUserPasswordCommand,
    CognitoIdentityProviderClient,
    ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityClient, DeleteIdentitiesCommand, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { ApiCallError, SignedApiClient } from "../client/apiClient";

/** The stack outputs the checks read (`pulumi stack output --json`). */
export interface StackOutputs {
    readonly stage: string;
    readonly region: string;
    readonly userPoolId: string;
    readonly userPoolClientId: string;
    readonly userPoolProviderName: string;
    readonly identityPoolId: string;
    readonly userFilesBucket: string;
    readonly userFilesPrefix: string;
    readonly apiEndpoint: string;
    readonly stageAccessRoleArn: string;
    readonly oidcReaderRoleArn: string;
}

export const REQUIRED_OUTPUTS: readonly (keyof StackOutputs)[] = [
    "stage",
    "region",
    "userPoolId",
    "userPoolClientId",
    "userPoolProviderName",
    "identityPoolId",
    "userFilesBucket",
    "userFilesPrefix",
    "apiEndpoint",
    "stageAccessRoleArn",
    "oidcReaderRoleArn",
];

/** Validates parsed stack outputs, naming every missing one. */
export function parseOutputs(raw: unknown): StackOutputs {
    const value = (raw ?? {}) as Record<string, unknown>;
    const missing = REQUIRED_OUTPUTS.filter((key) => typeof value[key] !== "string" || value[key] === "");
    if (missing.length > 0) {
        throw new Error(`stack outputs lack ${missing.join(", ")}: is this stack deployed with this version of the program?`);
    }
    return value as unknown as StackOutputs;
}

export interface SmokeClients {
    /** Cognito user pool administration, with the operator's credentials. */
    readonly idp: CognitoIdentityProviderClient;
    /** Cognito Identity (GetId and GetCredentialsForIdentity are unsigned). */
    readonly identity: CognitoIdentityClient;
    readonly s3For: (credentials: AwsCredentialIdentity) => S3Client;
    /** STS with the given credentials, or unsigned (AssumeRoleWithWebIdentity) without. */
    readonly stsFor: (credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider) => STSClient;
    readonly apiFor: (credentials: AwsCredentialIdentity) => SignedApiClient;
}

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
    readonly id: string;
    readonly name: string;
    readonly status: CheckStatus;
    readonly ms: number;
    readonly detail: string;
}

export interface SmokeReport {
    readonly stage: string;
    readonly runId: string;
    readonly ok: boolean;
    readonly checks: CheckResult[];
    readonly cleanup: { readonly removed: string[]; readonly failed: string[] };
    readonly ms: number;
}

export interface SmokeOptions {
    readonly outputs: StackOutputs;
    /** Unique per run: names every user and object the run creates. @default random */
    readonly runId?: string;
    /** Credentials of the caller account's role this stage trusts; without them check 5 is skipped. */
    readonly caller?: AwsCredentialIdentityProvider;
    /** Credentials of the caller role of the other stages, which must be refused. */
    readonly otherCaller?: AwsCredentialIdentityProvider;
    readonly externalId?: string;
    /** Aborts the run (Ctrl-C, overall timeout): the current check fails, cleanup still runs. */
    readonly signal?: AbortSignal;
    /** Timeout of one step (one AWS call or API request) in ms. @default 10000 */
    readonly stepTimeoutMs?: number;
    /** Users older than this, left by an interrupted run, are removed first. @default 15 minutes */
    readonly staleAfterMs?: number;
    /** Called as each check finishes. */
    readonly onResult?: (result: CheckResult) => void;
    readonly now?: () => number;
    /** An unsigned GET of the API (the refusal check). @default fetch */
    readonly unsignedGet?: (url: string) => Promise<number>;
}

/** Email-style usernames: `smoke+<runId>-<role>@smoke.invalid` (never deliverable). */
export const SMOKE_USER_PREFIX = "smoke+";
const userName = (runId: string, who: string) => `${SMOKE_USER_PREFIX}${runId}-${who}@smoke.invalid`;

export function newRunId(now = Date.now()): string {
    return `${now.toString(36)}-${randomBytes(4).toString("hex")}`;
}

function newPassword(): string {
    return `${randomBytes(18).toString("base64url")}Aa1!`;
}

interface SmokeUser {
    readonly username: string;
    readonly group: "user" | "admin";
    idToken?: string;
    identityId?: string;
    credentials?: AwsCredentialIdentity;
    readonly content: string;
}

class CheckFailure extends Error {}

function fail(message: string): never {
    throw new CheckFailure(message);
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? "Error";
const isAccessDenied = (error: unknown) =>
    ["AccessDenied", "AccessDeniedException", "Forbidden"].includes(errorName(error)) ||
    (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403;

export async function runSmoke(options: SmokeOptions, clients: SmokeClients): Promise<SmokeReport> {
    const started = (options.now ?? Date.now)();
    const now = options.now ?? Date.now;
    const out = options.outputs;
    const runId = options.runId ?? newRunId();
    const stepTimeout = options.stepTimeoutMs ?? 10_000;
    const staleAfter = options.staleAfterMs ?? 15 * 60 * 1000;
    const results: CheckResult[] = [];
    const removed: string[] = [];
    const failedCleanup: string[] = [];
    const objects: { key: string; owner: SmokeUser }[] = [];
    /** Users this run created, removed at the end whatever happened. */
    const createdUsers: string[] = [];
    const users: SmokeUser[] = [
        { username: userName(runId, "user"), group: "user", content: `smoke ${runId} user` },
        { username: userName(runId, "admin"), group: "admin", content: `smoke ${runId} admin` },
    ];
    const [userA, userB] = users;
    const logins = (token: string) => ({ [out.userPoolProviderName]: token });
    const ownKey = (user: SmokeUser, name = "data.txt") => `${out.userFilesPrefix}/${user.identityId}/${name}`;

    /** One step: bounded by the step timeout and by the run's abort signal (`null`: not abortable). */
    function step<T>(what: string, work: () => Promise<T>, abortable: AbortSignal | null = options.signal ?? null): Promise<T> {
        const signal = abortable ?? undefined;
        return new Promise<T>((resolve, reject) => {
            if (signal?.aborted) {
                reject(new CheckFailure(`interrupted before ${what}`));
                return;
            }
            const timer = setTimeout(() => reject(new CheckFailure(`${what} timed out after ${stepTimeout} ms`)), stepTimeout);
            const onAbort = () => reject(new CheckFailure(`interrupted during ${what}`));
            signal?.addEventListener("abort", onAbort, { once: true });
            work().then(
                (value) => {
                    clearTimeout(timer);
                    signal?.removeEventListener("abort", onAbort);
                    resolve(value);
                },
                (error) => {
                    clearTimeout(timer);
                    signal?.removeEventListener("abort", onAbort);
                    reject(error);
                },
            );
        });
    }

    let setupFailed: string | undefined;
    async function check(id: string, name: string, body: () => Promise<string | { skip: string }>): Promise<void> {
        const t = now();
        let status: CheckStatus;
        let detail: string;
        if (setupFailed !== undefined) {
            status = "skip";
            detail = `not run: ${setupFailed}`;
        } else if (options.signal?.aborted) {
            status = "skip";
            detail = "not run: interrupted";
        } else {
            try {
                const outcome = await body();
                if (typeof outcome === "string") {
                    status = "pass";
                    detail = outcome;
                } else {
                    status = "skip";
                    detail = outcome.skip;
                }
            } catch (error) {
                status = "fail";
                detail = error instanceof CheckFailure ? error.message : `${errorName(error)}: ${(error as Error).message}`;
            }
        }
        const result = { id, name, status, ms: now() - t, detail };
        results.push(result);
        options.onResult?.(result);
    }

    async function signIn(user: SmokeUser, password: string): Promise<void> {
        const auth = await step(`sign-in of ${user.username}`, () =>
            clients.idp.send(
                new AdminInitiateAuthCommand({
                    UserPoolId: out.userPoolId,
                    ClientId: out.userPoolClientId,
                    AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters: { USERNAME: user.username, PASSWORD: password },
                }),
            ),
        );
        user.idToken = auth.AuthenticationResult?.IdToken ?? fail(`no IdToken for ${user.username} (challenge ${auth.ChallengeName ?? "none"})`);
        const id = await step("GetId", () => clients.identity.send(new GetIdCommand({ IdentityPoolId: out.identityPoolId, Logins: logins(user.idToken!) })));
        user.identityId = id.IdentityId ?? fail("GetId returned no identity id");
        const issued = await step("GetCredentialsForIdentity", () =>
            clients.identity.send(new GetCredentialsForIdentityCommand({ IdentityId: user.identityId, Logins: logins(user.idToken!) })),
        );
        const c = issued.Credentials;
        if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) {
            fail(`no identity-pool credentials for the ${user.group} user`);
        }
        user.credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    }

    async function createUser(user: SmokeUser): Promise<void> {
        const password = newPassword();
        await step("AdminCreateUser", () =>
            clients.idp.send(
                new AdminCreateUserCommand({
                    UserPoolId: out.userPoolId,
                    Username: user.username,
                    MessageAction: "SUPPRESS",
                    TemporaryPassword: newPassword(),
                    UserAttributes: [
                        { Name: "email", Value: user.username },
                        { Name: "email_verified", Value: "true" },
                    ],
                }),
            ),
        );
        createdUsers.push(user.username);
        await step("AdminSetUserPassword", () =>
            clients.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: out.userPoolId, Username: user.username, Password: password, Permanent: true })),
        );
        await step("AdminAddUserToGroup", () =>
            clients.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: out.userPoolId, Username: user.username, GroupName: user.group })),
        );
        await signIn(user, password);
        await step("PutObject", () =>
            clients.s3For(user.credentials!).send(new PutObjectCommand({ Bucket: out.userFilesBucket, Key: ownKey(user), Body: user.content })),
        );
        objects.push({ key: ownKey(user), owner: user });
    }

    /** Removes users (with their files and identities) that an interrupted earlier run left. */
    async function sweepStale(): Promise<string> {
        const listed = await step("ListUsers", () =>
            clients.idp.send(new ListUsersCommand({ UserPoolId: out.userPoolId, Filter: `email ^= "${SMOKE_USER_PREFIX}"`, Limit: 60 })),
        );
        const stale = (listed.Users ?? []).filter(
            (u) => u.Username && u.UserCreateDate && now() - new Date(u.UserCreateDate).getTime() > staleAfter,
        );
        for (const leftover of stale) {
            const email = leftover.Attributes?.find((a) => a.Name === "email")?.Value ?? "";
            if (!email.startsWith(SMOKE_USER_PREFIX) || !email.endsWith("@smoke.invalid")) {
                continue; // never touch a user the smoke checks did not create
            }
            const user: SmokeUser = { username: email, group: "user", content: "" };
            const password = newPassword();
            try {
                await step("AdminSetUserPassword", () =>
                    clients.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: out.userPoolId, Username: email, Password: password, Permanent: true })),
                );
                await signIn(user, password);
                const s3 = clients.s3For(user.credentials!);
                const listing = await step("ListObjectsV2", () =>
                    s3.send(new ListObjectsV2Command({ Bucket: out.userFilesBucket, Prefix: `${out.userFilesPrefix}/${user.identityId}/` })),
                );
                for (const object of listing.Contents ?? []) {
                    await step("DeleteObject", () => s3.send(new DeleteObjectCommand({ Bucket: out.userFilesBucket, Key: object.Key })));
                }
                await step("DeleteIdentities", () => clients.identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [user.identityId!] })));
            } finally {
                await step("AdminDeleteUser", () => clients.idp.send(new AdminDeleteUserCommand({ UserPoolId: out.userPoolId, Username: leftover.Username })));
            }
            removed.push(`stale user ${email}`);
        }
        return stale.length === 0 ? "no leftovers from earlier runs" : `removed ${stale.length} leftover user(s)`;
    }

    async function apiStatus(credentials: AwsCredentialIdentity, path: string, headers: Record<string, string> = {}) {
        try {
            const response = await step(`GET ${path}`, () => clients.apiFor(credentials).call<Record<string, unknown>>({ path, headers }));
            return { status: response.status, body: response.body };
        } catch (error) {
            if (error instanceof ApiCallError) {
                return { status: error.status, body: error.body };
            }
            throw error;
        }
    }

    async function expectDenied(what: string, work: () => Promise<unknown>, onUnexpectedSuccess?: () => void): Promise<void> {
        try {
            await step(what, work);
        } catch (error) {
            if (isAccessDenied(error)) {
                return;
            }
            throw error;
        }
        onUnexpectedSuccess?.();
        fail(`${what} was allowed; it must be denied`);
    }

    try {
        await check("0", "set up: leftovers swept, two temporary users (user, admin) with their files", async () => {
            try {
                const swept = await sweepStale();
                await createUser(userA);
                await createUser(userB);
                return `${swept}; created ${users.map((u) => u.group).join(" and ")} users`;
            } catch (error) {
                setupFailed = `set-up failed (${error instanceof CheckFailure ? error.message : errorName(error)})`;
                throw error;
            }
        });

        await check("1", "user A's GET /read-file returns A's own file", async () => {
            const { status, body } = await apiStatus(userA.credentials!, "/read-file", { idToken: userA.idToken! });
            if (status !== 200) fail(`expected 200, got ${status} ${JSON.stringify(body)}`);
            if ((body as { data?: string }).data !== userA.content) fail(`expected A's content, got ${JSON.stringify(body)}`);
            return "200 with A's content";
        });

        await check("2", "with A's credentials: B's file and the bucket root denied, own folder lists and writes", async () => {
            const s3 = clients.s3For(userA.credentials!);
            await expectDenied("reading B's file", () => s3.send(new GetObjectCommand({ Bucket: out.userFilesBucket, Key: ownKey(userB) })));
            await expectDenied("listing the bucket root", () => s3.send(new ListObjectsV2Command({ Bucket: out.userFilesBucket, Prefix: "" })));
            const own = await step("listing own folder", () =>
                s3.send(new ListObjectsV2Command({ Bucket: out.userFilesBucket, Prefix: `${out.userFilesPrefix}/${userA.identityId}/` })),
            );
            if (!(own.Contents ?? []).some((o) => o.Key === ownKey(userA))) fail("own folder listing lacks data.txt");
            const written = ownKey(userA, "smoke-write.txt");
            await step("writing own folder", () => s3.send(new PutObjectCommand({ Bucket: out.userFilesBucket, Key: written, Body: runId })));
            objects.push({ key: written, owner: userA });
            return "B's file denied, root listing denied, own folder listed and written";
        });

        await check("3", "an unsigned request to the API is refused", async () => {
            const status = await step("unsigned GET /whoami", () => (options.unsignedGet ?? defaultUnsignedGet)(`${out.apiEndpoint}/whoami`));
            if (status !== 403 && status !== 401) fail(`expected 403, got ${status}`);
            return `${status}`;
        });

        await check("4", "the user role gets 403 on /admin, the admin role 200", async () => {
            const asUser = await apiStatus(userA.credentials!, "/admin");
            if (asUser.status !== 403) fail(`user role: expected 403, got ${asUser.status}`);
            const asAdmin = await apiStatus(userB.credentials!, "/admin");
            if (asAdmin.status !== 200) fail(`admin role: expected 200, got ${asAdmin.status} ${JSON.stringify(asAdmin.body)}`);
            return "user 403, admin 200";
        });

        await check("5", "the caller account's role assumes this stage's role; /whoami names it; the other stages' caller is refused", async () => {
            if (!options.caller) {
                return { skip: "no caller credentials given (--caller-profile or --caller-role-arn)" };
            }
            const sessionName = `smoke-${runId}`.slice(0, 64);
            const assumed = await step("AssumeRole", () =>
                clients.stsFor(options.caller).send(
                    new AssumeRoleCommand({
                        RoleArn: out.stageAccessRoleArn,
                        RoleSessionName: sessionName,
                        DurationSeconds: 900,
                        ...(options.externalId ? { ExternalId: options.externalId } : {}),
                    }),
                ),
            );
            const c = assumed.Credentials ?? fail("AssumeRole returned no credentials");
            const who = await apiStatus({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }, "/whoami");
            const roleName = out.stageAccessRoleArn.split("/").pop();
            const expected = new RegExp(`^arn:aws[a-z-]*:sts::\\d{12}:assumed-role/${roleName}/${sessionName}$`);
            if (who.status !== 200 || !expected.test(String((who.body as { userArn?: string }).userArn))) {
                fail(`/whoami: expected ${roleName}/${sessionName}, got ${who.status} ${JSON.stringify(who.body)}`);
            }
            if (!options.otherCaller) {
                return `assumed and identified as ${roleName}; other stages' caller not given, not checked`;
            }
            await expectDenied("AssumeRole by the other stages' caller role", () =>
                clients.stsFor(options.otherCaller).send(
                    new AssumeRoleCommand({
                        RoleArn: out.stageAccessRoleArn,
                        RoleSessionName: `${sessionName}-x`.slice(0, 64),
                        ...(options.externalId ? { ExternalId: options.externalId } : {}),
                    }),
                ),
            );
            return `assumed and identified as ${roleName}; the other stages' caller refused`;
        });

        await check("6", "an IdToken assumes the OIDC role: reading the bucket works, writing is denied", async () => {
            const assumed = await step("AssumeRoleWithWebIdentity", () =>
                clients.stsFor().send(
                    new AssumeRoleWithWebIdentityCommand({
                        RoleArn: out.oidcReaderRoleArn,
                        RoleSessionName: `smoke-${runId}`.slice(0, 64),
                        WebIdentityToken: userA.idToken,
                        DurationSeconds: 900,
                    }),
                ),
            );
            const c = assumed.Credentials ?? fail("AssumeRoleWithWebIdentity returned no credentials");
            const s3 = clients.s3For({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
            const read = await step("reading with the OIDC role", () => s3.send(new GetObjectCommand({ Bucket: out.userFilesBucket, Key: ownKey(userA) })));
            const text = await read.Body?.transformToString();
            if (text !== userA.content) fail(`read ${JSON.stringify(text)} instead of A's content`);
            const key = ownKey(userA, "oidc-write.txt");
            await expectDenied(
                "writing with the OIDC role",
                () => s3.send(new PutObjectCommand({ Bucket: out.userFilesBucket, Key: key, Body: runId })),
                () => objects.push({ key, owner: userA }),
            );
            return "read allowed, write denied";
        });
    } finally {
        await cleanup();
    }

    async function cleanup(): Promise<void> {
        // Not bound to the run's signal: after an interruption, cleanup is the one thing left to do.
        for (const object of objects.reverse()) {
            try {
                await step(`deleting ${object.key}`, () => clients.s3For(object.owner.credentials!).send(new DeleteObjectCommand({ Bucket: out.userFilesBucket, Key: object.key })), null);
                removed.push(`object ${object.key}`);
            } catch (error) {
                failedCleanup.push(`object ${object.key}: ${errorName(error)}`);
            }
        }
        const identities = users.map((u) => u.identityId).filter((id): id is string => id !== undefined);
        if (identities.length > 0) {
            try {
                await step("DeleteIdentities", () => clients.identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: identities })), null);
                removed.push(...identities.map((id) => `identity ${id}`));
            } catch (error) {
                failedCleanup.push(`identities ${identities.join(", ")}: ${errorName(error)}`);
            }
        }
        for (const username of createdUsers) {
            try {
                await step("AdminDeleteUser", () => clients.idp.send(new AdminDeleteUserCommand({ UserPoolId: out.userPoolId, Username: username })), null);
                removed.push(`user ${username}`);
            } catch (error) {
                failedCleanup.push(`user ${username}: ${errorName(error)}`);
            }
        }
    }

    const ok = results.every((r) => r.status !== "fail") && !results.some((r) => r.id === "0" && r.status !== "pass") && failedCleanup.length === 0 && !options.signal?.aborted;
    return { stage: out.stage, runId, ok, checks: results, cleanup: { removed, failed: failedCleanup }, ms: now() - started };
}

async function defaultUnsignedGet(url: string): Promise<number> {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
}

/** The report as a table a person reads. */
export function formatReport(report: SmokeReport): string {
    const mark: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };
    const lines = [
        "",
        `Smoke checks of stage ${report.stage} (run ${report.runId}): ${report.ok ? "OK" : "FAILED"} in ${report.ms} ms`,
        "",
        "  #  result  time     check",
        ...report.checks.map((c) => `  ${c.id}  ${mark[c.status]}    ${`${c.ms} ms`.padEnd(8)} ${c.name}${c.status === "pass" ? "" : `\n                    -> ${c.detail}`}`),
        "",
        `  cleanup: removed ${report.cleanup.removed.length} item(s)${report.cleanup.failed.length ? `; FAILED to remove: ${report.cleanup.failed.join("; ")}` : ""}`,
    ];
    return lines.join("\n");
}

/** One line per finished check, printed as it happens. */
export function formatResult(result: CheckResult): string {
    const mark = { pass: "PASS", fail: "FAIL", skip: "SKIP" }[result.status];
    return `[${mark}] ${result.id} ${result.name} (${result.ms} ms)${result.status === "pass" ? "" : ` -- ${result.detail}`}`;
}
