/**
 * The change review: what a change of the program or of a stack file does to each stack, judged
 * before merge. Plain data in (each stack synthesized at the base and at the change, the access
 * reports of both, the base's CI roles), plain data out, per stack:
 * - each resource created, updated, replaced or deleted (replacement from the provider's
 *   replace-on-change properties, analysis/replacements.ts);
 * - the data put at risk: what holds or keys user data replaced or deleted, or files stranded;
 * - the cells of the people × capabilities matrix gained and lost;
 * - the calls the stage's deploy role (as deployed before the change) may not make, so that an
 *   administrator applies the change instead of CI failing halfway through it.
 */
import { AccessReport, columnsOf } from "./access";
import { callsNeedingAdministrator, ChangeApplier, Phase } from "./ciRights";
import { REPLACE_ON_CHANGE } from "./replacements";
import { SynthesizedResource, SynthesizedStack } from "./world";

export type ChangeAction = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
    readonly type: string;
    readonly name: string;
    readonly action: ChangeAction;
    /** Inputs that differ (an update or replacement), sorted. */
    readonly changed: readonly string[];
    /** Inputs that make it a replacement. */
    readonly replacedBy?: readonly string[];
}

export interface StackChange {
    readonly stack: string;
    readonly resources: readonly { readonly type: string; readonly name: string; readonly action: ChangeAction }[];
    readonly dataAtRisk: readonly string[];
    /**
     * Cells of the people × capabilities matrix: allowed anew, no longer allowed, and allowed
     * before and after with another bound (`person × capability: before → after`), such as a
     * longer time a demoted admin keeps a route.
     */
    readonly access: { readonly gained: readonly string[]; readonly lost: readonly string[]; readonly changed: readonly string[] };
    readonly needsAdministrator: readonly { readonly resource: string; readonly calls: readonly string[] }[];
}

/** A resource as the runs record it: component resources only group others. */
type Recorded = SynthesizedResource & { readonly custom?: boolean; readonly options?: { readonly protect?: boolean } };

const keyOf = (r: SynthesizedResource) => `${r.type}::${r.name}`;

/** Pulumi's wire marker of a secret: compared by the value it wraps. */
const SECRET_KEY = "4dabf18193072939515e22adb298388d";

function canonical(value: unknown): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    const record = value as Record<string, unknown>;
    if (SECRET_KEY in record) return `secret(${canonical(record.value)})`;
    return `{${Object.keys(record)
        .filter((k) => !k.startsWith("__"))
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
        .join(",")}}`;
}

function leaves(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (value !== null && typeof value === "object") Object.values(value as object).forEach((v) => leaves(v, out));
    return out;
}

/** Whether an input's value is computed from what a replaced resource returns (its id or ARN). */
function refersTo(value: unknown, replaced: SynthesizedResource): boolean {
    const id = String(replaced.id);
    const arn = typeof replaced.state.arn === "string" ? replaced.state.arn : undefined;
    return leaves(value).some((leaf) => leaf === id || (id.length >= 8 && leaf.includes(id)) || (arn !== undefined && leaf.includes(arn)));
}

/**
 * Resources created, updated, replaced or deleted between two runs of one stack, matched by
 * type and name as Pulumi matches them (by URN). A replacement gives dependents new ids and
 * ARNs: their inputs that carry one change too, as Pulumi's preview shows them (unknown), and
 * may replace them in turn.
 */
export function resourceChanges(base: SynthesizedStack | undefined, head: SynthesizedStack | undefined): ResourceChange[] {
    const custom = (stack: SynthesizedStack | undefined) => new Map((stack?.resources ?? []).filter((r) => (r as Recorded).custom !== false && r.type.startsWith("aws:")).map((r) => [keyOf(r), r]));
    const before = custom(base);
    const after = custom(head);
    const changed = new Map<string, Set<string>>();
    for (const [key, r] of after) {
        const old = before.get(key);
        if (!old) continue;
        const inputs = new Set([...Object.keys(old.inputs), ...Object.keys(r.inputs)].filter((k) => !k.startsWith("__")));
        changed.set(key, new Set([...inputs].filter((k) => canonical(old.inputs[k]) !== canonical(r.inputs[k]))));
    }
    const replaces = (key: string) => {
        const r = after.get(key) as SynthesizedResource;
        const properties = REPLACE_ON_CHANGE[r.type]?.properties ?? [];
        return [...(changed.get(key) ?? [])].filter((k) => properties.includes(k));
    };
    // Cascade to a fixed point: a replaced resource's dependents see new values.
    for (let grew = true; grew; ) {
        grew = false;
        const replaced = [...changed.keys()].filter((key) => replaces(key).length > 0).map((key) => before.get(key) as SynthesizedResource);
        for (const [key, r] of after) {
            const keys = changed.get(key);
            if (!keys) continue;
            for (const [input, value] of Object.entries(r.inputs)) {
                if (!keys.has(input) && replaced.some((x) => keyOf(x) !== key && refersTo(value, x))) {
                    keys.add(input);
                    grew = true;
                }
            }
        }
    }
    const changes: ResourceChange[] = [];
    for (const [key, r] of after) {
        if (!before.has(key)) {
            changes.push({ type: r.type, name: r.name, action: "create", changed: [] });
            continue;
        }
        const keys = [...(changed.get(key) ?? [])].sort();
        if (keys.length === 0) continue;
        const replacedBy = replaces(key);
        changes.push({ type: r.type, name: r.name, action: replacedBy.length > 0 ? "replace" : "update", changed: keys, ...(replacedBy.length > 0 ? { replacedBy } : {}) });
    }
    for (const [key, r] of before) {
        if (!after.has(key)) changes.push({ type: r.type, name: r.name, action: "delete", changed: [] });
    }
    return changes;
}

/** What holds or keys user data, and what losing it costs. */
interface DataHolder {
    readonly matches: (r: SynthesizedResource, stack: SynthesizedStack) => boolean;
    readonly what: string;
}

export const DATA_HOLDERS: readonly DataHolder[] = [
    { matches: (r) => r.type === "aws:cognito/userPool:UserPool", what: "the user pool holds every user's account, password and MFA enrolment" },
    { matches: (r) => r.type === "aws:cognito/userGroup:UserGroup", what: "the group holds its memberships (who is an admin)" },
    {
        matches: (r) => r.type === "aws:cognito/identityPool:IdentityPool",
        what: "identity ids of this pool name every user's folder: a new pool gives every user a new id, and their files stay under the old ones",
    },
    {
        matches: (r) => r.type === "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
        what: "the role mapping decides which role, and so which folder rights, every user's credentials carry; while it is replaced users get none",
    },
    { matches: (r, stack) => r.type === "aws:s3/bucket:Bucket" && r.id === stack.outputs.userFilesBucket, what: "the user files bucket holds every user's files" },
    { matches: (r, stack) => r.type === "aws:s3/bucket:Bucket" && stack.outputs.auditLogBucket !== undefined && r.id === stack.outputs.auditLogBucket, what: "the audit log bucket holds the trail's records" },
    { matches: (r) => r.type === "aws:cloudtrail/trail:Trail", what: "the audit trail stops recording while it is replaced or gone" },
];

/** The data a change puts at risk, one line each. */
export function dataAtRisk(base: SynthesizedStack | undefined, head: SynthesizedStack | undefined, changes: readonly ResourceChange[]): string[] {
    if (!base) return [];
    const risks: string[] = [];
    for (const change of changes.filter((c) => c.action === "replace" || c.action === "delete")) {
        const r = base.resources.find((x) => x.type === change.type && x.name === change.name) as Recorded;
        const holder = DATA_HOLDERS.find((h) => h.matches(r, base));
        if (!holder) continue;
        const why = change.replacedBy ? ` (${change.replacedBy.join(", ")} changed)` : "";
        const guard = r.options?.protect ? "; it is protected, so `pulumi up` stops at it" : "";
        risks.push(`${change.action} ${change.type} ${change.name}${why}: ${holder.what}${guard}`);
    }
    const [from, to] = [base.outputs.userFilesPrefix, head?.outputs.userFilesPrefix];
    if (head && from !== undefined && to !== undefined && from !== to) {
        risks.push(
            `userFilesPrefix '${from}' → '${to}': every user's existing files stay under ${from}/ and their credentials no longer reach them; move them first (docs/operations.md, "Moving user files")`,
        );
    }
    return risks;
}

const allowed = (cell: string | undefined) => cell !== undefined && cell.startsWith("Allowed");

/**
 * Cells of one stack's columns that a change allows or denies anew, `person × capability` each,
 * and those allowed on both sides whose bound changed.
 */
export function accessChanges(stack: string, base: AccessReport | undefined, head: AccessReport | undefined): { gained: string[]; lost: string[]; changed: string[] } {
    const cells = (report: AccessReport | undefined) => {
        const out = new Map<string, string>();
        if (!report) return out;
        const columns = columnsOf(report, stack);
        for (const row of report.rows) for (const column of columns) out.set(`${row.person} × ${column}`, row.cells[column]);
        return out;
    };
    const [before, after] = [cells(base), cells(head)];
    const gained = [...after].filter(([cell, value]) => allowed(value) && !allowed(before.get(cell))).map(([cell]) => cell);
    const lost = [...before].filter(([cell, value]) => allowed(value) && !allowed(after.get(cell))).map(([cell]) => cell);
    const changed = [...after]
        .filter(([cell, value]) => allowed(value) && allowed(before.get(cell)) && before.get(cell) !== value)
        .map(([cell, value]) => `${cell}: ${before.get(cell)} → ${value}`);
    return { gained: gained.sort(), lost: lost.sort(), changed: changed.sort() };
}

/** The provider's lifecycle phases a change runs. */
const PHASES_OF: Record<ChangeAction, readonly Phase[]> = {
    create: ["create", "read", "tag"],
    update: ["update", "read", "tag"],
    replace: ["delete", "create", "read", "tag"],
    delete: ["delete"],
};

/**
 * Every call of a change the stage's deploy role, as deployed before the change, may not make,
 * by resource. A replacement deletes the old resource (as the base has it) and creates the new.
 */
export async function needsAdministrator(
    applier: ChangeApplier,
    base: SynthesizedStack | undefined,
    head: SynthesizedStack | undefined,
    changes: readonly ResourceChange[],
): Promise<{ resource: string; calls: string[] }[]> {
    const out: { resource: string; calls: string[] }[] = [];
    const find = (stack: SynthesizedStack | undefined, c: ResourceChange) => stack?.resources.find((r) => r.type === c.type && r.name === c.name);
    for (const change of changes) {
        const calls: string[] = [];
        if (change.action === "delete" || change.action === "replace") {
            calls.push(...(await callsNeedingAdministrator(applier, base as SynthesizedStack, find(base, change) as SynthesizedResource, ["delete"], [])));
        }
        if (change.action !== "delete") {
            const phases = PHASES_OF[change.action].filter((p) => p !== "delete");
            calls.push(...(await callsNeedingAdministrator(applier, head as SynthesizedStack, find(head, change) as SynthesizedResource, phases, change.action === "update" ? change.changed : [])));
        }
        const unique = [...new Set(calls)];
        if (unique.length > 0) out.push({ resource: `${change.type} ${change.name} (${change.action})`, calls: unique });
    }
    return out;
}

/** The whole review of one stack: `base` or `head` is undefined for a stack the change deletes or adds. */
export async function stackChange(
    stack: string,
    base: SynthesizedStack | undefined,
    head: SynthesizedStack | undefined,
    reports: { readonly base?: AccessReport; readonly head?: AccessReport },
    applier: ChangeApplier,
): Promise<StackChange> {
    const changes = resourceChanges(base, head);
    // Without a deploy role (a new stage, or one without CI roles) every call is an administrator's: say so once.
    const firstDeploy =
        !applier.deploy && changes.length > 0
            ? [{ resource: `all ${changes.length} resources`, calls: ["the stage has no deploy role before this change: an administrator applies it (docs/first-deploy.md)"] }]
            : undefined;
    return {
        stack,
        resources: changes.map(({ type, name, action }) => ({ type, name, action })),
        dataAtRisk: dataAtRisk(base, head, changes),
        access: accessChanges(stack, reports.base, reports.head),
        needsAdministrator: firstDeploy ?? (await needsAdministrator(applier, base, head, changes)),
    };
}
