/**
 * The promises the design makes about people, checked against what each person reaches by
 * any path. A stage's deploy pipeline operates its own stage (it ships the code that handles
 * users' tokens, so it is trusted with that stage's data and users); nothing and nobody else
 * is.
 */
import { ROUTES } from "../lambdas/contract";
import { Person, Reach } from "./reach";
import { World } from "./world";

export interface Violation {
    readonly person: string;
    readonly column: string;
    readonly promise: string;
    readonly chain: readonly string[];
}

/** The largest window, in minutes, a demoted admin may keep admin access through an old IdToken. */
/**
 * How long a change of a user may take to apply, in minutes: an IdToken's validity (60 by
 * default) plus the hour the identity pool's credentials last. A demoted admin keeps the admin
 * route, and a signed-out user what its credentials reach, no longer than this.
 */
export const STALE_ADMIN_LIMIT_MINUTES = 120;
export const STALE_SIGNED_OUT_LIMIT_MINUTES = 60;

const isUserKind = (p: Person) => p.kind === "user" || p.kind === "admin" || p.kind === "demoted" || p.kind === "signed-out";

/** Why a person may hold a cell, or undefined when the cell breaks a promise. */
function allowed(person: Person, stage: string, capability: string, world: World, stale: string | undefined): boolean {
    const operator = person.kind === "pipeline" && person.stage === stage;
    const ownUser = isUserKind(person) && person.stage === stage;
    if (person.kind === "signed-out") {
        // A revoked IdToken still assumes the web-identity role until it expires (STS does not
        // ask Cognito); that role may only ask who it is. The identity pool refuses it; what the
        // credentials obtained before the sign-out reach, they reach until they expire.
        const beforeSignOut = stale !== undefined && staleMinutes(stale) <= STALE_SIGNED_OUT_LIMIT_MINUTES;
        return ownUser && (capability === `invoke ${ROUTES.whoami}` || (beforeSignOut && capability.startsWith("invoke ") && capability !== `invoke ${ROUTES.admin}`));
    }
    switch (capability) {
        case "read A's file":
        case "write A's folder":
            return operator || (ownUser && person.user === "A");
        case "read B's file":
            return operator || (ownUser && person.user === "B");
        case "list user files root":
        case "sign in as any user":
        case "change resources":
        case "change users' groups":
        case "re-send an invitation":
        case "set a user's password":
        case "write a user's email":
        case "write the Pulumi state or lock":
            return operator;
        case "/admin as an admin":
            return operator || (ownUser && person.kind === "admin") || (ownUser && person.kind === "demoted" && stale !== undefined && staleMinutes(stale) <= STALE_ADMIN_LIMIT_MINUTES);
        case "read function code":
            return operator || person.kind === "pr-author";
        case "stop the audit trail":
            return false;
        default:
            if (capability.startsWith("invoke ")) {
                if (operator || ownUser) return true;
                if (person.kind === "caller") {
                    const trusted = world.stacks.find((s) => s.stage === stage)?.outputs.stageAccessTrustedCaller as string | undefined;
                    const held = person.holds.find((h) => h.kind === "session");
                    return !!trusted && !!held && held.kind === "session" && trusted === held.roleArn;
                }
                return false;
            }
            throw new Error(`promises: unknown capability '${capability}'`);
    }
}

/** The bound a stale cell states: `≤ N min` or `≤ N + M min`. */
function staleMinutes(stale: string): number {
    const match = /≤ (\d+)(?: \+ (\d+))? min/.exec(stale);
    return match ? Number(match[1]) + Number(match[2] ?? 0) : Number.POSITIVE_INFINITY;
}

/** Every cell that breaks a promise, with the chain that reaches it. */
export function violations(reaches: readonly Reach[], world: World): Violation[] {
    const found: Violation[] = [];
    for (const { person, cells } of reaches) {
        for (const [column, cell] of Object.entries(cells)) {
            if (!cell.allowed) continue;
            if (column === "account administrator") {
                found.push({ person: person.name, column, promise: "no one becomes administrator of the account", chain: cell.chain });
                continue;
            }
            if (column === "rewrite account log policies") {
                found.push({ person: person.name, column, promise: "only an administrator rewrites the account's CloudWatch Logs resource policies (every stage's log delivery)", chain: cell.chain });
                continue;
            }
            const [stage, capability] = column.split(": ");
            if (!allowed(person, stage, capability, world, cell.stale)) {
                found.push({ person: person.name, column, promise: promiseOf(capability), chain: cell.chain });
            }
        }
    }
    return found;
}

function promiseOf(capability: string): string {
    if (/file|folder|root/.test(capability)) return "no one reaches another user's data; a pipeline only its own stage's";
    if (capability === "/admin as an admin") return "only admins (and their own stage's pipeline) are served the admin route";
    if (capability === "stop the audit trail") return "no one can stop or tamper with the audit trail";
    if (/users' groups|invitation|password|email/.test(capability)) return "only a stage's pipeline changes its users' groups, passwords, invitations or email";
    if (capability === "write the Pulumi state or lock") return "only a stage's deploy pipeline writes its Pulumi state and lock";
    if (capability === "read function code") return "function code is read only by its own stage's pipeline and the preview of that stage";
    return "no one reaches past their stage; only a stage's pipeline changes it";
}
