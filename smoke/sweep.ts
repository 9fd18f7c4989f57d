/**
 * Removes what earlier runs left: every record nobody has written to for `staleAfterMs` is
 * claimed, then each user it names is removed as the run itself would have (sign in with the
 * recorded password, empty the folder with the user's own credentials, delete the user),
 * then the record. One leftover that cannot be removed is noted in its record and
 * reported; it stops neither the other leftovers nor the run.
 */
import type { Context } from "./context";
import { describeError } from "./errors";
import { appendNote, claimRecord, groupByRun, listRecords, readRecord, recordFolder, removeFolder, SMOKE_RECORDS_PREFIX } from "./records";
import { StepFailure } from "./steps";
import { newTestUser, removeUser } from "./users";

export interface SweepResult {
    /** One line per earlier run removed. */
    readonly removed: string[];
    /** One line per leftover that could not be removed (kept, noted in its record). */
    readonly failed: string[];
    /** Records left alone: claimed by another run, or over the per-run bound. */
    readonly skipped: string[];
    /** Smoke users older than the threshold that no record names: beyond what the smoke role may clean. */
    readonly unrecorded: string[];
}

export interface SweepOptions {
    readonly runId: string;
    readonly staleAfterMs: number;
    /** Stale records handled per run; the rest wait for the next. @default 10 */
    readonly maxRuns?: number;
}

const explain = (error: unknown) => (error instanceof StepFailure ? error.message : describeError(error));

export async function sweepStale(ctx: Context, options: SweepOptions): Promise<SweepResult> {
    const result = { removed: [] as string[], failed: [] as string[], skipped: [] as string[], unrecorded: [] as string[] };
    let listing;
    try {
        listing = await listRecords(ctx, SMOKE_RECORDS_PREFIX);
    } catch (error) {
        result.failed.push(`listing the run records: ${explain(error)}`);
        return result;
    }
    const runs = groupByRun(listing.objects);
    runs.delete(options.runId);
    const stale = [...runs.entries()]
        .map(([runId, objects]) => ({ runId, objects, newest: Math.max(...objects.map((o) => o.lastModified)) }))
        .filter((run) => ctx.now() - run.newest > options.staleAfterMs)
        .sort((a, b) => a.newest - b.newest);
    const maxRuns = options.maxRuns ?? 10;
    for (const run of stale.slice(maxRuns)) {
        result.skipped.push(`run ${run.runId}: over the ${maxRuns} records swept per run; left for the next`);
    }
    const named = new Set<string>();
    for (const run of stale.slice(0, maxRuns)) {
        if (ctx.steps.signal.aborted) break;
        try {
            const outcome = await sweepRun(ctx, run.runId, run.objects.map((o) => o.key), options.runId, named);
            result[outcome.list].push(outcome.line);
        } catch (error) {
            result.failed.push(`run ${run.runId}: ${explain(error)}`);
        }
    }
    if (!listing.truncated) {
        try {
            result.unrecorded.push(...(await unrecordedUsers(ctx, runs, named, options.staleAfterMs)));
        } catch (error) {
            result.failed.push(`looking for unrecorded smoke users: ${explain(error)}`);
        }
    }
    return result;
}

async function sweepRun(
    ctx: Context,
    runId: string,
    keys: string[],
    by: string,
    named: Set<string>,
): Promise<{ list: "removed" | "failed" | "skipped"; line: string }> {
    if (!(await claimRecord(ctx, runId, keys, by))) {
        return { list: "skipped", line: `run ${runId}: being swept by another run` };
    }
    const { record, keys: present } = await readRecord(ctx, runId);
    if (present.every((key) => /\/claim-\d+\.json$/.test(key))) {
        // Only claims left: another run swept it between our listing and our claim.
        await removeFolder(ctx, recordFolder(runId));
        return { list: "skipped", line: `run ${runId}: already swept by another run` };
    }
    if (!record.intent) {
        // Users are created only after their intent is stored: without one, nothing was created.
        await removeFolder(ctx, recordFolder(runId));
        return { list: "removed", line: `run ${runId}: record without users removed` };
    }
    const problems = [...record.unreadable];
    let users = 0;
    for (const recorded of record.intent.users) {
        named.add(recorded.username);
        const user = newTestUser(recorded);
        for (const id of record.identities.get(recorded.username) ?? []) user.identityIds.add(id);
        for (const key of record.keys.get(recorded.username) ?? []) user.keys.add(key);
        const removal = await removeUser(ctx, user, false);
        if (removal.status === "removed") users++;
        else problems.push(removal.detail);
    }
    if (problems.length > 0) {
        await appendNote(ctx, runId, by, problems).catch(() => undefined);
        return { list: "failed", line: `run ${runId}: ${problems.join("; ")}` };
    }
    await removeFolder(ctx, recordFolder(runId));
    return { list: "removed", line: `run ${runId}: ${users} user(s) with their folders` };
}

/** Smoke users past the threshold that are in no record (from before run records existed). */
async function unrecordedUsers(ctx: Context, runs: Map<string, unknown>, named: Set<string>, staleAfterMs: number): Promise<string[]> {
    // The broker lists users of the smoke form only: no other user's name or email reaches the run.
    const listed = await ctx.steps.run("ListUsers", (signal) => ctx.clients.users.call({ op: "listUsers" }, { abortSignal: signal }), { idempotent: true });
    const found: string[] = [];
    for (const u of listed.users ?? []) {
        const email = u.username;
        const created = new Date(u.created).getTime() || ctx.now();
        if (named.has(email) || ctx.now() - created <= staleAfterMs) continue;
        // Usernames carry the run id: `smoke+<runId>-<group>@…`. A record of that run, fresh or not, covers it.
        const runId = /^smoke\+(.+)-(user|admin)@/.exec(email)?.[1];
        if (runId && runs.has(runId)) continue;
        found.push(email);
    }
    return found;
}
