/**
 * Run records: what a run is about to create, written before it creates it, so that whatever
 * happens to the run (a crash, a lost response, a kill) a later run finds and removes it.
 *
 * A record is a folder `<records prefix><runId>/` of small JSON facts, each written once and
 * never overwritten: the intent (usernames and their passwords, before AdminCreateUser), each
 * identity id as it is learned, each object key before the object is written, and the notes
 * and claims of whoever sweeps it. An append-only folder has no lost update: a write whose
 * response was lost and that lands late only adds a fact, where overwriting one record
 * object could put back an older version over a newer one.
 *
 * Claims use S3's conditional create (`If-None-Match: *`, answered 412 when the key exists):
 * of two runs sweeping the same stale record, one gets `claim-<n>` and the other skips it.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";

import { SMOKE_RECORDS_PREFIX } from "../components/config/naming";
import type { Context } from "./context";
import { describeError, isNoSuchKey, isPreconditionFailed } from "./errors";
import { smokeUsername } from "../lambdas/smokeUsers";

export { SMOKE_RECORDS_PREFIX };

export interface RecordedUser {
    readonly username: string;
    readonly group: "user" | "admin";
    readonly temporaryPassword: string;
    readonly password: string;
}

export type Fact =
    | { readonly kind: "intent"; readonly version: 1; readonly runId: string; readonly stage: string; readonly startedAt: string; readonly users: RecordedUser[] }
    | { readonly kind: "identity"; readonly username: string; readonly identityId: string }
    | { readonly kind: "object"; readonly username: string; readonly key: string }
    | { readonly kind: "note"; readonly by: string; readonly at: string; readonly notes: string[] }
    | { readonly kind: "claim"; readonly by: string; readonly at: string };

const RUN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** An identity id: `<region>:<UUID>`. */
const IDENTITY_ID = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Whether `username` is one of the users run `runId` creates: `smoke+<runId>-<group>@smoke.invalid`. */
const isRunUser = (runId: string, username: unknown): username is string =>
    typeof username === "string" && ["user", "admin"].some((group) => username === smokeUsername(runId, group));

export const recordFolder = (runId: string) => `${SMOKE_RECORDS_PREFIX}${runId}/`;

export interface ListedObject {
    readonly key: string;
    readonly lastModified: number;
}

/** Objects under a prefix, with the operator's credentials; paged, at most `maxPages` pages. */
export async function listRecords(ctx: Context, prefix: string, maxPages = 10): Promise<{ objects: ListedObject[]; truncated: boolean }> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
        const listed = await ctx.steps.run(
            `listing ${prefix}`,
            (signal) =>
                ctx.clients.records.send(new ListObjectsV2Command({ Bucket: ctx.out.userFilesBucket, Prefix: prefix, ContinuationToken: token }), {
                    abortSignal: signal,
                }),
            { idempotent: true },
        );
        for (const o of listed.Contents ?? []) {
            if (o.Key) objects.push({ key: o.Key, lastModified: o.LastModified ? new Date(o.LastModified).getTime() : 0 });
        }
        token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
        if (!token) return { objects, truncated: false };
    }
    return { objects, truncated: true };
}

/** The record a run writes about itself. */
export class RunRecord {
    private readonly counter: { next: number };

    constructor(
        private readonly ctx: Context,
        readonly runId: string,
        counter?: { next: number },
    ) {
        if (!RUN_ID.test(runId)) {
            throw new Error(`run id must be lowercase letters, digits and '-', got '${runId}'`);
        }
        this.counter = counter ?? { next: 0 };
    }

    /** The same record, written through another context (the cleanup's, with its own time limit). */
    through(ctx: Context): RunRecord {
        return new RunRecord(ctx, this.runId, this.counter);
    }

    get folder(): string {
        return recordFolder(this.runId);
    }

    /** Appends one fact; the same key and content on a retry, so a repeat is harmless. */
    async append(fact: Fact): Promise<void> {
        const key = `${this.folder}${String(this.counter.next++).padStart(4, "0")}-${fact.kind}.json`;
        await putFact(this.ctx, key, fact);
    }

    /** Removes the whole record (every fact, including any that landed late). */
    async remove(): Promise<void> {
        await removeFolder(this.ctx, this.folder);
    }
}

async function putFact(ctx: Context, key: string, fact: Fact, conditional = false): Promise<void> {
    await ctx.steps.run(
        `writing ${key}`,
        (signal) =>
            ctx.clients.records.send(
                new PutObjectCommand({
                    Bucket: ctx.out.userFilesBucket,
                    Key: key,
                    Body: JSON.stringify(fact),
                    ContentType: "application/json",
                    ...(conditional ? { IfNoneMatch: "*" } : {}),
                }),
                { abortSignal: signal },
            ),
        // A conditional create is not repeatable: a repeat after a lost answer would read as "taken".
        { idempotent: !conditional },
    );
}

export async function removeFolder(ctx: Context, folder: string): Promise<void> {
    const { objects } = await listRecords(ctx, folder);
    for (const object of objects) {
        await ctx.steps.run(
            `deleting ${object.key}`,
            (signal) => ctx.clients.records.send(new DeleteObjectCommand({ Bucket: ctx.out.userFilesBucket, Key: object.key }), { abortSignal: signal }),
            { idempotent: true },
        );
    }
}

/**
 * Claims a stale record for sweeping: true when this run created the next claim, false when
 * another run did first.
 */
export async function claimRecord(ctx: Context, runId: string, keys: readonly string[], by: string): Promise<boolean> {
    const claims = keys.map((k) => /\/claim-(\d+)\.json$/.exec(k)?.[1]).filter((n): n is string => n !== undefined);
    const next = claims.length === 0 ? 1 : Math.max(...claims.map(Number)) + 1;
    try {
        await putFact(ctx, `${recordFolder(runId)}claim-${next}.json`, { kind: "claim", by, at: new Date(ctx.now()).toISOString() }, true);
        return true;
    } catch (error) {
        if (isPreconditionFailed(error)) return false;
        throw error;
    }
}

export async function appendNote(ctx: Context, runId: string, by: string, notes: string[]): Promise<void> {
    const key = `${recordFolder(runId)}note-${by}-${ctx.now().toString(36)}.json`;
    await putFact(ctx, key, { kind: "note", by, at: new Date(ctx.now()).toISOString(), notes });
}

/** What a record says, merged from its facts. */
export interface ReadRecord {
    readonly intent?: Extract<Fact, { kind: "intent" }>;
    readonly identities: Map<string, Set<string>>;
    readonly keys: Map<string, Set<string>>;
    /** Facts that could not be read or parsed (the rest still count). */
    readonly unreadable: string[];
}

export async function readRecord(ctx: Context, runId: string): Promise<{ record: ReadRecord; keys: string[] }> {
    const { objects } = await listRecords(ctx, recordFolder(runId));
    const identities = new Map<string, Set<string>>();
    const keys = new Map<string, Set<string>>();
    const unreadable: string[] = [];
    let intent: ReadRecord["intent"];
    const add = (map: Map<string, Set<string>>, user: string, value: string) => map.set(user, (map.get(user) ?? new Set()).add(value));
    for (const { key } of objects) {
        if (/\/claim-\d+\.json$/.test(key)) continue;
        let fact: Fact;
        try {
            const got = await ctx.steps.run(
                `reading ${key}`,
                (signal) => ctx.clients.records.send(new GetObjectCommand({ Bucket: ctx.out.userFilesBucket, Key: key }), { abortSignal: signal }),
                { idempotent: true },
            );
            fact = JSON.parse((await got.Body?.transformToString()) ?? "") as Fact;
        } catch (error) {
            if (isNoSuchKey(error)) continue; // removed meanwhile by whoever swept it
            unreadable.push(`${key}: ${describeError(error)}`);
            continue;
        }
        // A record names only this run's own users and identity ids of the pool's form: a fact
        // naming anyone else (a record written by hand, or by a defect) is reported, never acted on.
        if (fact.kind === "intent" && Array.isArray(fact.users)) {
            const foreign = fact.users.filter((u) => !isRunUser(runId, u?.username));
            if (foreign.length > 0) unreadable.push(`${key}: names users that are not this run's: ${foreign.map((u) => JSON.stringify(u?.username)).join(", ")}`);
            intent = { ...fact, users: fact.users.filter((u) => isRunUser(runId, u?.username)) };
        } else if (fact.kind === "identity" && fact.username && fact.identityId) {
            if (isRunUser(runId, fact.username) && IDENTITY_ID.test(String(fact.identityId))) add(identities, fact.username, fact.identityId);
            else unreadable.push(`${key}: names an identity that is not this run's: ${JSON.stringify(fact.username)} ${JSON.stringify(fact.identityId)}`);
        } else if (fact.kind === "object" && fact.username && fact.key) {
            if (isRunUser(runId, fact.username)) add(keys, fact.username, fact.key);
            else unreadable.push(`${key}: names an object of a user that is not this run's: ${JSON.stringify(fact.username)}`);
        } else if (fact.kind !== "note" && fact.kind !== "claim") unreadable.push(`${key}: not a fact of a run record`);
    }
    return { record: { intent, identities, keys, unreadable }, keys: objects.map((o) => o.key) };
}

/** Groups listed record objects by run id; objects outside `<prefix><runId>/` are not records. */
export function groupByRun(objects: readonly ListedObject[]): Map<string, ListedObject[]> {
    const runs = new Map<string, ListedObject[]>();
    for (const object of objects) {
        const rest = object.key.slice(SMOKE_RECORDS_PREFIX.length);
        const slash = rest.indexOf("/");
        if (!object.key.startsWith(SMOKE_RECORDS_PREFIX) || slash <= 0 || !RUN_ID.test(rest.slice(0, slash))) continue;
        const runId = rest.slice(0, slash);
        runs.set(runId, [...(runs.get(runId) ?? []), object]);
    }
    return runs;
}
